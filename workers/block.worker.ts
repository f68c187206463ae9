// Worker entry of BEAT blocks (issue 7): the block host exposed to the engine over Comlink.
// Same-origin module worker, for built-in blocks; user blocks run the same host in the opaque-origin
// sandbox (workers/sandboxRuntime.ts, kind "block").
import * as Comlink from 'comlink';
import { createBlockHostApi } from './blockHostApi';

Comlink.expose(createBlockHostApi());
