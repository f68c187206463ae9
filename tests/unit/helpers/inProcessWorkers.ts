// A WorkerFactory for Node tests: the runner host runs in this thread behind a MessageChannel, so
// everything crosses the same Comlink boundary (structured clone, transfers) as in the browser.
import * as Comlink from 'comlink';
import { createRunnerHostApi } from '../../../workers/runnerHostApi';
import type { WorkerFactory } from '../../../src/engine/workerHandle';

export function inProcessWorkerFactory(): WorkerFactory & { created: number; terminated: number } {
  const f = (() => {
    f.created++;
    const { port1, port2 } = new MessageChannel();
    const api = createRunnerHostApi();
    Comlink.expose(api, port2 as unknown as Comlink.Endpoint);
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
