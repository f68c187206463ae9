// Worker entry of BEAT blocks (issue 7): the block host exposed to the engine over Comlink.
// Same-origin module worker: third-party block isolation through the sandbox is later work.
import * as Comlink from 'comlink';
import { createBlockHostApi } from './blockHostApi';

Comlink.expose(createBlockHostApi());
