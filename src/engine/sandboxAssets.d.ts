// The virtual module scripts/sandboxRuntimePlugin.ts provides (only in Vite builds and the dev server):
// URLs, in the app's own build, of the sandbox runtime script and of onnxruntime-web's CPU build.
declare module 'virtual:algobox-sandbox' {
  const urls: { runtime: string; ortMjs: string; wasmMjs: string; wasm: string };
  export default urls;
}
