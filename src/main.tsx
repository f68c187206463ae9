// App entry: create the engine (store, runner workers, the sandbox for third-party bundles, WebGPU
// probe), expose it as window.algobox, install built-in bundles, then render the React app.
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
import { decodeImageFile } from './engine/decodeImage';
import { createSandboxWorkerFactory } from './engine/sandbox';
import sandboxAssets from 'virtual:algobox-sandbox';
import { installBuiltins } from './app/builtins';
import { installBuiltinBlocks } from './blocks';
import { App } from './app/App';
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
  decodeImageFile,
  maxWorkers: Math.max(2, Math.min(8, navigator.hardwareConcurrency || 4)),
  onReady: async (api) => {
    // First start: built-in bundles and the synthetic sample data (no download).
    await installBuiltins(api);
    await installBuiltinBlocks(api.blocks);
    await api.samples.ensure();
  },
});
window.algobox = algobox;

createRoot(document.getElementById('root')!).render(<App api={algobox} />);
