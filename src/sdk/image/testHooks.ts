// Test-only hooks into "algobox/image". Not part of what bundles get: index.ts lists every name the
// bundle linker exposes as "algobox/image", and nothing in the app imports this file; only tests
// (and benchmarks) do.
export { tvNd as _tvNdForTests, setTvWasmDisabled as _setTvWasmDisabled } from './restoration';
