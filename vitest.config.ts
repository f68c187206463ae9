import { defineConfig } from 'vitest/config';

// Two projects, both run by `npx vitest run` (and `npm test`):
// - unit: pure logic of src/core, src/sdk (kernels, runners on a fake host, the module linker) and the
//   app's plain .ts helpers; fast, no store, no engine, no workers.
// - integration: the engine, the store (fake-indexeddb), worker hosts, toolchains, the API, pack and
//   onnxruntime sessions end to end in Node.
// `npm run test:unit` / `npm run test:integration` run one of them. A new test file is a unit test
// unless it is listed here.
const INTEGRATION = [
  'apiUsable',
  'apiImport',
  'importLabels',
  'badInput',
  'importStreaming',
  'beatThrown',
  'decodeLimits',
  'quota',
  'runFaults',
  'mixedRun',
  'toolchainLoops',
  'toolchainsInterrupted',
  'userFormats',
  'builtinBundles',
  'thresholdLocalParams',
  'chunkCache',
  'chunkedArrays',
  'datasetArrays',
  'pyramidStore',
  'engine',
  'modelBundles',
  'onnxSession',
  'ortLoader',
  'pack',
  'pinnedInstall',
  'prompts',
  'promptsDecoder',
  'runnerHost',
  'sampleData',
  'sandboxHost',
  'stacks',
  'store',
  'toolchainPage',
  'toolchainPca',
  'toolchainRunners',
  'toolchains',
  'toolchainBindings',
  'toolchainsSandbox',
  'lazyArraysEngine',
  'toolchainLazy',
  'datasetAxes',
  'runnerAxes',
  'builtinChannels',
  'omeTiff',
  'givenLevels',
  'exportOme',
  'omeZarr',
  'tableDatasets',
  'saveEdited',
  'labelDrafts',
  'labelsPersistence',
  'countToolchain',
  'measureObjects',
].map((name) => `tests/unit/${name}.test.ts`);

export default defineConfig({
  test: {
    environment: 'node',
    setupFiles: ['tests/unit/setup.ts'],
    testTimeout: 30000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], exclude: INTEGRATION } },
      { extends: true, test: { name: 'integration', include: INTEGRATION } },
    ],
  },
});
