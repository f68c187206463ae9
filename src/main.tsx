// App entry: create the engine (store, runner workers, the sandbox for third-party bundles, WebGPU
// probe), expose it as window.algobox, render the React app (usable once the store is open), install
// built-in bundles and sample data in the background (`ready`), register the service worker.
import { createRoot } from 'react-dom/client';
import { createAlgobox } from './api';
import {
  browserBlockWorkerFactory,
  browserPromptWorkerFactory,
  browserWorkerFactory,
  holdEngineLock,
  isEngineAlive,
  probeWebGpu,
} from './engine/browserWorker';
import { createSandboxWorkerFactory } from './engine/sandbox';
import sandboxAssets from 'virtual:algobox-sandbox';
import { App } from './app/App';
import { registerServiceWorker } from './app/pwa/registerServiceWorker';
import { UpdateNotice } from './app/pwa/UpdateNotice';
import './app/global.d.ts';

const engineId = crypto.randomUUID();
holdEngineLock(engineId);

const algobox = createAlgobox({
  engineId,
  workerFactory: browserWorkerFactory,
  // Third-party bundles: classic workers in opaque-origin sandboxed iframes (docs/security.md).
  sandboxWorkerFactory: createSandboxWorkerFactory({ assets: sandboxAssets }),
  promptWorkerFactory: browserPromptWorkerFactory,
  // BEAT blocks (toolchains): built-in blocks in same-origin module workers; user blocks in the
  // opaque-origin sandbox, one frame per worker (docs/security.md, "BEAT blocks").
  blockWorkerFactory: browserBlockWorkerFactory,
  sandboxBlockWorkerFactory: createSandboxWorkerFactory({ assets: sandboxAssets, kind: 'block' }),
  blockPoolSize: navigator.hardwareConcurrency || 4,
  gpu: probeWebGpu,
  isEngineAlive,
  // Image codecs load with the first import (not part of the first screen).
  decodeImageFile: async (...a) => (await import('./engine/decodeImage')).decodeImageFile(...a),
  maxWorkers: Math.max(2, Math.min(8, navigator.hardwareConcurrency || 4)),
  onReady: async (api) => {
    // Once the first screen is drawn (the browser is idle): built-in bundles, built-in blocks and
    // the synthetic sample data (no download); installed on first start, checked on later ones.
    await new Promise((r) => requestIdleCallback(r, { timeout: 1000 }));
    // Loaded here, after the first screen: the built-in blocks pull in the toolchain machinery.
    const [{ installBuiltins }, { installBuiltinBlocks }] = await Promise.all([import('./app/builtins'), import('./blocks')]);
    await installBuiltins(api);
    await installBuiltinBlocks(api.blocks);
    await api.samples.ensure();
  },
});
window.algobox = algobox;

// Offline use: the service worker (production builds; `?sw=off` opts out) and its 'new version' notice.
const updates = registerServiceWorker();

createRoot(document.getElementById('root')!).render(
  <>
    <App api={algobox} />
    <UpdateNotice updates={updates} />
  </>,
);
