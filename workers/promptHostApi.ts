// The prompt host: what runs inside the prompt worker. It keeps SAM decoder sessions (by key) and a
// few embeddings (by dataset id, each transferred once), and turns prompts into a mask with the
// decoder only (the encoder never runs here). WASM on all threads when cross-origin isolated.
// Importable in Node (tests run it in-process over a MessageChannel).
import * as Comlink from 'comlink';
import { ndarray, zeros, type NDArray } from '../src/core/ndarray';
import type { PromptDecodeRequest, PromptDecodeResult, PromptHostApi, PromptHostStats, PromptNeeds } from '../src/core/promptProtocol';
import { SAM_EMBEDDING_SHAPE, SAM_LOW_RES, maskFromLogits, maskFromLowRes, samPointFeeds, type ImageSize } from '../src/core/samPrompts';
import { createOnnxSession } from '../src/sdk/onnxRuntime';
import type { OnnxSession } from '../src/sdk/OnnxSession';

export interface PromptHostOptions {
  /** Decoder sessions kept (least recently used released beyond this). Default 2. */
  maxDecoders?: number;
  /** Embeddings kept. Default 3. */
  maxEmbeddings?: number;
}

interface HeldEmbedding {
  features: NDArray<'float32'>;
  size: ImageSize;
}

/** A Map used as an LRU: get() moves the entry to the end. */
function touch<K, V>(m: Map<K, V>, k: K): V | undefined {
  const v = m.get(k);
  if (v !== undefined) {
    m.delete(k);
    m.set(k, v);
  }
  return v;
}

export function createPromptHostApi(opts: PromptHostOptions = {}): PromptHostApi & { dispose(): Promise<void> } {
  const maxDecoders = opts.maxDecoders ?? 2;
  const maxEmbeddings = opts.maxEmbeddings ?? 3;
  const decoders = new Map<string, Promise<OnnxSession>>();
  const embeddings = new Map<string, HeldEmbedding>();
  const counters = { decoderLoads: 0, embeddingsSet: 0, decodes: 0 };
  const maskInput = zeros('float32', [1, 1, SAM_LOW_RES, SAM_LOW_RES]);
  const hasMaskInput = ndarray('float32', [1], [0]);

  const releaseAll = async () => {
    const all = [...decoders.values()];
    decoders.clear();
    embeddings.clear();
    await Promise.all(all.map((p) => p.then((s) => s.release()).catch(() => undefined)));
  };

  return {
    async loadDecoder(key, name, bytes) {
      const log: string[] = [];
      const t0 = performance.now();
      let p = touch(decoders, key);
      if (!p) {
        counters.decoderLoads++;
        p = createOnnxSession(bytes, { name, device: 'cpu', log: (level, message) => void log.push(`${level}: ${message}`) });
        decoders.set(key, p);
        const mine = p;
        mine.catch(() => {
          if (decoders.get(key) === mine) decoders.delete(key);
        });
        while (decoders.size > maxDecoders) {
          const [oldKey, old] = decoders.entries().next().value!;
          decoders.delete(oldKey);
          void old.then((s) => s.release()).catch(() => undefined);
        }
      }
      await p;
      return { ms: performance.now() - t0, log };
    },

    async setEmbedding(id, features, originalSize) {
      const n = SAM_EMBEDDING_SHAPE.reduce((a, b) => a * b, 1);
      if (features.dtype !== 'float32' || features.data.length !== n) {
        throw new Error(`setEmbedding: features must be float32 with ${n} values; got ${features.dtype} [${features.shape.join(', ')}].`);
      }
      counters.embeddingsSet++;
      embeddings.delete(id);
      embeddings.set(id, {
        features: ndarray('float32', [1, ...SAM_EMBEDDING_SHAPE], features.data as Float32Array),
        size: [originalSize[0], originalSize[1]],
      });
      while (embeddings.size > maxEmbeddings) embeddings.delete(embeddings.keys().next().value!);
    },

    async holds(decoderKey, embeddingId) {
      const needs: PromptNeeds['needs'] = [];
      if (!decoders.has(decoderKey)) needs.push('decoder');
      if (!embeddings.has(embeddingId)) needs.push('embedding');
      return { needs };
    },

    async decode(req: PromptDecodeRequest): Promise<PromptDecodeResult | PromptNeeds> {
      const needs: PromptNeeds['needs'] = [];
      const dp = touch(decoders, req.decoderKey);
      const emb = touch(embeddings, req.embeddingId);
      if (!dp) needs.push('decoder');
      if (!emb) needs.push('embedding');
      if (!dp || !emb) return { needs };
      const session = await dp;
      const t0 = performance.now();
      const { point_coords, point_labels } = samPointFeeds(req.prompts, emb.size);
      // The full-resolution `masks` output costs the decoder more than the rest of it: take the
      // 256×256 logits and upsample them here (the same interpolation) when the model has them.
      const lowRes = session.outputNames.includes('low_res_masks');
      const out = await session.run(
        {
          image_embeddings: emb.features,
          point_coords,
          point_labels,
          mask_input: maskInput,
          has_mask_input: hasMaskInput,
          orig_im_size: ndarray('float32', [2], [emb.size[0], emb.size[1]]),
        },
        [lowRes ? 'low_res_masks' : 'masks', ...(session.outputNames.includes('iou_predictions') ? ['iou_predictions'] : [])],
      );
      const iouOut = out.iou_predictions ?? null;
      const { mask, iou } = lowRes ? maskFromLowRes(out.low_res_masks!, iouOut, emb.size) : maskFromLogits(out.masks!, iouOut);
      if (mask.shape[0] !== emb.size[0] || mask.shape[1] !== emb.size[1]) {
        throw new Error(`The prompt decoder returned a ${mask.shape[1]}×${mask.shape[0]} mask for a ${emb.size[1]}×${emb.size[0]} image.`);
      }
      counters.decodes++;
      const result: PromptDecodeResult = { mask, iou, ms: performance.now() - t0 };
      return Comlink.transfer(result, [mask.data.buffer as ArrayBuffer]);
    },

    async stats(): Promise<PromptHostStats> {
      return { ...counters, decoders: [...decoders.keys()], embeddings: [...embeddings.keys()] };
    },

    release: releaseAll,
    dispose: releaseAll,
  };
}
