// The message boundary between the engine and the prompt worker (interactive SAM decoding). The
// engine validates prompts and resolves which decoder and embedding apply; the worker only holds
// decoder sessions and embeddings and runs the decoder. Structured-cloneable values only.
import type { NDArray } from './ndarray';
import type { ImageSize, Prompts } from './samPrompts';

export interface PromptDecodeRequest {
  /** Cache key of the decoder (the stored blob key of the model file). */
  decoderKey: string;
  /** Dataset id of the embedding. */
  embeddingId: string;
  prompts: Prompts;
}

export interface PromptDecodeResult {
  /** uint8 [H, W] of the original image: 1 = object. */
  mask: NDArray<'uint8'>;
  /** The decoder's predicted IoU of this mask. */
  iou: number;
  /** Milliseconds the decoder ran (feeds to mask, inside the worker). */
  ms: number;
}

/** `decode` when the worker lacks what it needs: the engine loads it and asks again. */
export interface PromptNeeds {
  needs: ('decoder' | 'embedding')[];
}

export interface PromptHostStats {
  decoderLoads: number;
  embeddingsSet: number;
  decodes: number;
  decoders: string[];
  embeddings: string[];
}

export interface PromptHostApi {
  /** Create the decoder session for `key` from the model bytes (kept; least recently used dropped beyond a few). Returns log lines. */
  loadDecoder(key: string, name: string, bytes: Uint8Array): Promise<{ ms: number; log: string[] }>;
  /** Keep an embedding (features float32 with 256·64·64 values) for decoding; the last few are kept. */
  setEmbedding(id: string, features: NDArray<'float32'>, originalSize: ImageSize): Promise<void>;
  /** What the worker lacks to decode with this decoder and embedding (empty when it holds both). */
  holds(decoderKey: string, embeddingId: string): Promise<PromptNeeds>;
  decode(req: PromptDecodeRequest): Promise<PromptDecodeResult | PromptNeeds>;
  stats(): Promise<PromptHostStats>;
  /** Release every session (before the worker is terminated). */
  release(): Promise<void>;
}
