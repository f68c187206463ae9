// WorkerFactories for Node tests: the runner host (or the prompt host) runs in this thread behind a MessageChannel, so
// everything crosses the same Comlink boundary (structured clone, transfers) as in the browser.
import * as Comlink from 'comlink';
import { createRunnerHostApi, runnerWorkerApi } from '../../../workers/runnerHostApi';
import { createPromptHostApi } from '../../../workers/promptHostApi';
import { createBlockHostApi } from '../../../workers/blockHostApi';
import type { PromptHostApi } from '../../../src/core/promptProtocol';
import type { WorkerFactory } from '../../../src/engine/workerHandle';

/** Counts and a crash switch on a factory of in-process workers. */
export type InProcessFactory = WorkerFactory & { created: number; terminated: number; crash(reason: string): void };

/**
 * `makeHost()` exposed (Comlink) behind a MessageChannel per worker. `crash(reason)` makes the newest
 * worker die as a crashed browser worker would.
 */
function inProcessFactory<H extends { dispose?(): unknown }>(makeHost: () => H, expose: (host: H) => unknown = (h) => h): InProcessFactory {
  let lastDeath: ((r: string) => void)[] = [];
  const f = (() => {
    f.created++;
    const { port1, port2 } = new MessageChannel();
    const host = makeHost();
    Comlink.expose(expose(host), port2 as unknown as Comlink.Endpoint);
    const deaths: ((r: string) => void)[] = [];
    lastDeath = deaths;
    return {
      endpoint: port1 as unknown as Comlink.Endpoint,
      terminate: () => {
        f.terminated++;
        port1.close();
        port2.close();
        void host.dispose?.();
      },
      onDeath: (cb: (r: string) => void) => void deaths.push(cb),
    };
  }) as unknown as InProcessFactory;
  f.created = 0;
  f.terminated = 0;
  f.crash = (reason) => lastDeath.splice(0).forEach((cb) => cb(reason));
  return f;
}

/** Runner workers: the runner host (workers/runnerHostApi.ts). */
export function inProcessWorkerFactory(): InProcessFactory {
  return inProcessFactory(createRunnerHostApi, runnerWorkerApi);
}

/** Prompt workers: `makeHost()` (default: the real prompt host). */
export function inProcessPromptWorkerFactory(makeHost: () => PromptHostApi & { dispose?(): unknown } = createPromptHostApi): InProcessFactory {
  return inProcessFactory(makeHost);
}

/** BEAT block workers: the block host (workers/blockHostApi.ts). */
export function inProcessBlockWorkerFactory(): InProcessFactory {
  return inProcessFactory(createBlockHostApi);
}
