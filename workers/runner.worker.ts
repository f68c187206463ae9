// Worker entry: one bundle per worker, exposed to the engine over Comlink.
import * as Comlink from 'comlink';
import { createRunnerHostApi } from './runnerHostApi';

Comlink.expose(createRunnerHostApi());
