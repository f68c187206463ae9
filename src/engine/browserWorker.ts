// Workers in the browser: module Web Workers built by Vite from workers/runner.worker.ts (runners of
// built-in bundles; third-party bundles run in sandbox.ts's frames) and workers/prompt.worker.ts (the
// prompt decoder).
import type { WorkerFactory, WorkerLike } from './workerHandle';
import { thrownMessage } from '../core/describeValue';

export const browserWorkerFactory: WorkerFactory = (label) =>
  workerLike(new Worker(new URL('../../workers/runner.worker.ts', import.meta.url), { type: 'module', name: `runner ${label}` }));

/** The prompt worker (SAM decoder for click-to-segment), built from workers/prompt.worker.ts. */
export const browserPromptWorkerFactory: WorkerFactory = (label) =>
  workerLike(new Worker(new URL('../../workers/prompt.worker.ts', import.meta.url), { type: 'module', name: `prompt ${label}` }));

function workerLike(worker: Worker): WorkerLike {
  const deathCallbacks: ((reason: string) => void)[] = [];
  const die = (reason: string) => deathCallbacks.splice(0).forEach((cb) => cb(reason));
  worker.addEventListener('error', (e: ErrorEvent) => {
    e.preventDefault();
    die(`The worker crashed: ${e.message || 'uncaught error (no message)'}`);
  });
  worker.addEventListener('messageerror', () => die('The worker sent a message that could not be read.'));
  const like: WorkerLike = {
    endpoint: worker,
    terminate: () => worker.terminate(),
    onDeath: (cb) => void deathCallbacks.push(cb),
  };
  return like;
}

/** Is there a WebGPU adapter here? (Probed once per engine.) */
export async function probeWebGpu(): Promise<{ available: boolean; reason?: string }> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return { available: false, reason: 'this browser has no WebGPU (navigator.gpu is undefined)' };
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? { available: true } : { available: false, reason: 'no WebGPU adapter is available' };
  } catch (e) {
    return { available: false, reason: `requesting a WebGPU adapter failed: ${thrownMessage(e)}` };
  }
}

/**
 * Liveness of other tabs' engines through the Web Locks API: every engine holds the lock
 * `algobox-engine:<id>` for its lifetime; a record whose engine holds no lock was interrupted.
 */
export function holdEngineLock(engineId: string): void {
  navigator.locks?.request(`algobox-engine:${engineId}`, () => new Promise<void>(() => {}));
}

export async function isEngineAlive(engineId: string): Promise<boolean> {
  if (!navigator.locks) return false;
  const { held = [] } = await navigator.locks.query();
  return held.some((l) => l.name === `algobox-engine:${engineId}`);
}

/** A BEAT block worker (workers/block.worker.ts): same-origin module worker, for built-in blocks (user blocks run in sandbox.ts's frames). */
export const browserBlockWorkerFactory: WorkerFactory = (label) =>
  workerLike(new Worker(new URL('../../workers/block.worker.ts', import.meta.url), { type: 'module', name: `block ${label}` }));
