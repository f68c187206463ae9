// Worker entry (built-in bundles): one bundle per worker, exposed to the engine over Comlink. Third-party
// bundles run the same host inside the sandbox (sandboxRuntime.ts).
import * as Comlink from 'comlink';
import { createRunnerHostApi, runnerWorkerApi } from './runnerHostApi';

Comlink.expose(runnerWorkerApi(createRunnerHostApi()));
