// The runner worker of third-party bundles. It runs as a CLASSIC worker (Chromium refuses module
// workers from blob: URLs in an opaque origin) inside the sandboxed iframe that
// src/engine/sandbox.ts creates, so it is built into one self-contained script with no top-level
// import/export (scripts/sandboxRuntimePlugin.ts builds it as an IIFE; ORT is not bundled in).
// Before any bundle code runs it installs:
// - a Worker hook: module workers from blob: URLs (onnxruntime-web's pthreads) become classic
//   workers that import() the module, buffering messages until the module has set onmessage;
// - an ORT loader (ORT_LOADER): the first model asks the engine, once, for the bytes of
//   ort.wasm.min.mjs, ort-wasm-simd-threaded.mjs and its .wasm (from the app's own build), which
//   are imported from blob: URLs created here, the wasm passed as wasmBinary (no fetch at all).
// Then it waits for the one init message (from the iframe's bootstrap) carrying its kind and two
// ports: the host is exposed on the first (the engine calls it over Comlink), the engine's services
// (the ORT files) answer on the second. The worker gets nothing else. Kind 'runner' (third-party
// bundles) exposes the runner host; kind 'block' (user BEAT blocks) exposes the block host of
// workers/blockHostApi.ts, which links the block's module text to blob: URLs made here too and
// reports process() counts on the progress port each job brings.
// First: the sandbox's CSP has no 'unsafe-eval', so Zod must not probe for it as schemas are built.
import '../src/core/zodWithoutEval';
import * as Comlink from 'comlink';
import { createRunnerHostApi, runnerWorkerApi } from './runnerHostApi';
import { createBlockHostApi } from './blockHostApi';
import { ORT_LOADER, type OrtLoader, type OrtModule } from '../src/sdk/onnxRuntime';
import type { SandboxOrtFiles, SandboxServices } from '../src/core/protocol';

const INIT = 'algobox-sandbox-init';

function installModuleWorkerShim(): void {
  const Native = self.Worker;
  const Shim = function Worker(url: string | URL, opts?: WorkerOptions): Worker {
    const u = String(url);
    if (opts?.type === 'module' && u.startsWith('blob:')) {
      const src =
        `self.__q=[];const p=e=>self.__q.push(e);self.onmessage=p;` +
        `import(${JSON.stringify(u)}).then(()=>{const q=self.__q;self.__q=null;const h=self.onmessage;` +
        `if(h&&h!==p)for(const e of q)h.call(self,e)},err=>setTimeout(()=>{throw err}))`;
      const classic = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
      return new Native(classic, opts.name === undefined ? {} : { name: opts.name });
    }
    return new Native(url, opts);
  } as unknown as typeof Worker;
  Shim.prototype = Native.prototype;
  self.Worker = Shim;
}

function installOrtLoader(services: Comlink.Remote<SandboxServices>): void {
  let loading: Promise<OrtModule> | null = null;
  const blobUrl = (bytes: ArrayBuffer) => URL.createObjectURL(new Blob([bytes], { type: 'text/javascript' }));
  const loader: OrtLoader = () => {
    loading ??= (async () => {
      const files: SandboxOrtFiles = await services.ortFiles();
      const ort = (await import(/* @vite-ignore */ blobUrl(files.ortMjs))) as OrtModule;
      ort.env.wasm.wasmPaths = { mjs: blobUrl(files.wasmMjs) } as typeof ort.env.wasm.wasmPaths;
      ort.env.wasm.wasmBinary = files.wasm;
      return ort;
    })();
    return loading;
  };
  (globalThis as unknown as Record<symbol, unknown>)[ORT_LOADER] = loader;
}

installModuleWorkerShim();

function onInit(e: MessageEvent): void {
  const m = e.data as { type?: unknown; kind?: unknown; port?: unknown; services?: unknown } | null;
  if (!m || m.type !== INIT || !(m.port instanceof MessagePort) || !(m.services instanceof MessagePort)) return;
  self.removeEventListener('message', onInit);
  if (m.kind === 'block') {
    m.services.close(); // blocks get no services
    Comlink.expose(createBlockHostApi(), m.port);
    return;
  }
  installOrtLoader(Comlink.wrap<SandboxServices>(m.services));
  Comlink.expose(runnerWorkerApi(createRunnerHostApi()), m.port);
}
self.addEventListener('message', onInit);
