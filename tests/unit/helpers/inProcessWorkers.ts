// WorkerFactories for Node tests: the runner host (or the prompt host) runs in this thread behind a MessageChannel, so
// everything crosses the same Comlink boundary (structured clone, transfers) as in the browser.
import * as Comlink from 'comlink';
import { createRunnerHostApi, runnerWorkerApi } from '../../../workers/runnerHostApi';
import { createPromptHostApi } from '../../../workers/promptHostApi';
import { createBlockHostApi } from '../../../workers/blockHostApi';
import type { PromptHostApi } from '../../../src/core/promptProtocol';
import type { WorkerFactory } from '../../../src/engine/workerHandle';

export function inProcessWorkerFactory(): WorkerFactory & { created: number; terminated: number } {
  const f = (() => {
    f.created++;
    const { port1, port2 } = new MessageChannel();
    const api = createRunnerHostApi();
    Comlink.expose(runnerWorkerApi(api), port2 as unknown as Comlink.Endpoint);
    const deaths: ((r: string) => void)[] = [];
    return {
      endpoint: port1 as unknown as Comlink.Endpoint,
      terminate: () => {
        f.terminated++;
        port1.close();
        port2.close();
        api.dispose();
      },
      onDeath: (cb: (r: string) => void) => void deaths.push(cb),
    };
  }) as unknown as WorkerFactory & { created: number; terminated: number };
  f.created = 0;
  f.terminated = 0;
  return f;
}

/**
 * A prompt-worker factory for Node tests: `makeHost()` (default: the real prompt host) runs behind a
 * MessageChannel. `crash(reason)` makes the newest worker die as a crashed browser worker would.
 */
export function inProcessPromptWorkerFactory(makeHost: () => PromptHostApi & { dispose?(): unknown } = createPromptHostApi): WorkerFactory & {
  created: number;
  terminated: number;
  crash(reason: string): void;
} {
  let lastDeath: ((r: string) => void)[] = [];
  const f = (() => {
    f.created++;
    const { port1, port2 } = new MessageChannel();
    const api = makeHost();
    Comlink.expose(api, port2 as unknown as Comlink.Endpoint);
    const deaths: ((r: string) => void)[] = [];
    lastDeath = deaths;
    return {
      endpoint: port1 as unknown as Comlink.Endpoint,
      terminate: () => {
        f.terminated++;
        port1.close();
        port2.close();
        void api.dispose?.();
      },
      onDeath: (cb: (r: string) => void) => void deaths.push(cb),
    };
  }) as unknown as WorkerFactory & { created: number; terminated: number; crash(reason: string): void };
  f.created = 0;
  f.terminated = 0;
  f.crash = (reason) => lastDeath.splice(0).forEach((cb) => cb(reason));
  return f;
}

/** BEAT block workers for Node tests: the block host (workers/blockHostApi.ts) behind a MessageChannel. */
export function inProcessBlockWorkerFactory(): WorkerFactory & { created: number; terminated: number } {
  const f = (() => {
    f.created++;
    const { port1, port2 } = new MessageChannel();
    const api = createBlockHostApi();
    Comlink.expose(api, port2 as unknown as Comlink.Endpoint);
    return {
      endpoint: port1 as unknown as Comlink.Endpoint,
      terminate: () => {
        f.terminated++;
        port1.close();
        port2.close();
        api.dispose();
      },
      onDeath: () => {},
    };
  }) as unknown as WorkerFactory & { created: number; terminated: number };
  f.created = 0;
  f.terminated = 0;
  return f;
}
