// Worker entry: the prompt host (SAM decoder sessions and embeddings), exposed to the engine over Comlink.
import * as Comlink from 'comlink';
import { createPromptHostApi } from './promptHostApi';

Comlink.expose(createPromptHostApi());
