// What an engine is made with: the store, the worker factories (built-in runners, the sandbox for
// third-party bundles, the prompt worker), limits, and the WebGPU probe.
import type { StorageEstimateLike } from '../core/quota';
import type { SessionLimits } from '../core/sessionCache';
import type { Store } from '../store/index';
import type { WorkerFactory } from './workerHandle';

export interface GpuInfo {
  available: boolean;
  reason?: string;
}

export interface EngineOptions {
  store: Store;
  /** Workers for built-in (first-party) bundles: same-origin module workers in the browser. */
  workerFactory: WorkerFactory;
  /**
   * Workers for third-party bundles (origin other than "builtin"): opaque-origin sandboxed iframes
   * (engine/sandbox.ts). Without one, third-party bundles run in `workerFactory`'s workers (Node tests).
   */
  sandboxWorkerFactory?: WorkerFactory;
  /** Wall-clock limit of a third-party run unless the request gives `timeoutMs` (default 10 minutes). */
  thirdPartyTimeoutMs?: number;
  /** Most runner workers alive at once (the runner cache size). */
  maxWorkers?: number;
  /** WebGPU availability, probed once. */
  gpu?: () => Promise<GpuInfo>;
  /** This engine's id (one per tab); records it runs carry it. */
  engineId?: string;
  /** Is the engine that owns a record still alive (another tab)? Default: only this one is. */
  isEngineAlive?: (engineId: string) => Promise<boolean>;
  sessionLimits?: SessionLimits;
  fetch?: typeof fetch;
  /** How often progress/log changes are written to the store while a run is live (ms). */
  persistIntervalMs?: number;
  /** Most bytes one execution may post (all postData calls together); a request may set a lower `maxPostBytes`. */
  maxPostBytes?: number;
  /** `navigator.storage.estimate()`: a run may post at most what is free when it starts (its posts fail with the numbers beyond). */
  storageEstimate?: () => Promise<StorageEstimateLike | null>;
  /** Most HostApi calls of one execution answered at once (more are refused). */
  maxHostCallsInFlight?: number;
  maxLogLines?: number;
  /** Creates the prompt worker (click-to-segment; see prompts.ts). Without one, prompts report they are unavailable. */
  promptWorkerFactory?: WorkerFactory;
  /** A prompt worker call taking longer is treated as a hang (worker stopped, recreated on the next request). */
  promptTimeoutMs?: number;
}
