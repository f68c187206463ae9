// Click-to-segment without the real model: the latest-wins rules, prompt validation and encoding,
// and the engine's PromptService (resolution errors, sessions, save, crash and hang of the worker)
// with a fake prompt host behind the same Comlink boundary.
import { datasetLabel } from '../../src/core/datasetLabel';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { LatestWins, SESSION_CLOSED_MESSAGE, isSuperseded } from '../../src/core/latestWins';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import type { PromptHostApi } from '../../src/core/promptProtocol';
import { maskFromLogits, samPointFeeds, validatePrompts } from '../../src/core/samPrompts';
import { inProcessPromptWorkerFactory, inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { manifest } from './helpers/bundles';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LatestWins', () => {
  it('computes only the newest waiting request: 10 requests while one runs → 2 computed', async () => {
    const started: number[] = [];
    const lw = new LatestWins<number, number>(async (n) => {
      started.push(n);
      await sleep(20);
      return n * 10;
    });
    const first = lw.request(0);
    const rest = Array.from({ length: 10 }, (_, i) => lw.request(i + 1));
    const results = await Promise.all([first, ...rest]);
    expect(started).toEqual([0, 10]);
    expect(results[0]).toBe(0);
    expect(results[10]).toBe(100);
    expect(results.slice(1, 10).every(isSuperseded)).toBe(true);
    expect(lw.stats()).toEqual({ requests: 11, decoded: 2, superseded: 9, failed: 0 });
  });

  it('is idle as soon as a result is delivered: the next request starts at once', async () => {
    const started: string[] = [];
    const lw = new LatestWins<string, string>(async (s) => {
      started.push(s);
      await sleep(5);
      return s;
    });
    expect(await lw.request('a')).toBe('a');
    const b = lw.request('b');
    expect(started).toEqual(['a', 'b']);
    expect(lw.busy).toBe(true);
    await b;
    expect(lw.busy).toBe(false);
  });

  it('a failed computation rejects its own request only; close() supersedes the waiting one and refuses new ones', async () => {
    let fail = true;
    const lw = new LatestWins<string, string>(async (s) => {
      await sleep(5);
      if (fail) {
        fail = false;
        throw new Error(`bad ${s}`);
      }
      return s.toUpperCase();
    });
    const a = lw.request('a');
    const b = lw.request('b');
    await expect(a).rejects.toThrow('bad a');
    await expect(b).resolves.toBe('B');
    const c = lw.request('c');
    const d = lw.request('d');
    lw.close();
    await expect(c).resolves.toBe('C');
    await expect(d).resolves.toEqual({ superseded: true });
    await expect(lw.request('e')).rejects.toThrow(SESSION_CLOSED_MESSAGE);
    await lw.idle();
    expect(lw.stats()).toEqual({ requests: 4, decoded: 3, superseded: 1, failed: 1 });
  });
});

describe('prompt validation and encoding', () => {
  const size = [100, 200] as const; // H = 100, W = 200
  const bad = (p: unknown) => () => validatePrompts(p, size);

  it('accepts points and boxes inside the image and copies them', () => {
    expect(
      validatePrompts(
        {
          points: [
            [0, 0, 1],
            [199.5, 99.5, 0],
          ],
        },
        size,
      ),
    ).toEqual({
      points: [
        [0, 0, 1],
        [199.5, 99.5, 0],
      ],
      box: null,
    });
    expect(validatePrompts({ points: [], box: [0, 0, 200, 100] }, size)).toEqual({ points: [], box: [0, 0, 200, 100] });
    expect(validatePrompts({ box: [10, 20, 30, 40] }, size)).toEqual({ points: [], box: [10, 20, 30, 40] });
  });

  it('rejects bad prompts with messages that name the prompt, the value and the rule', () => {
    expect(
      bad({
        points: [
          [10, 10, 1],
          [200, 5, 1],
        ],
      }),
    ).toThrow('prompts: point 1 (200, 5) is outside the 200×100 image (0 ≤ x < 200, 0 ≤ y < 100).');
    expect(bad({ points: [[-1, 5, 0]] })).toThrow('prompts: point 0 (-1, 5) is outside the 200×100 image (0 ≤ x < 200, 0 ≤ y < 100).');
    expect(bad({ points: [[1, 2, 2]] })).toThrow('prompts: point 0 has label 2; a label is 1 (object) or 0 (background).');
    expect(bad({ points: [[1, 2]] })).toThrow('prompts: point 0 must be [x, y, label] with finite numbers; got [1,2].');
    expect(bad({ points: [[1, 'a', 1]] })).toThrow('prompts: point 0 must be [x, y, label] with finite numbers; got [1,"a",1].');
    expect(bad({ points: 'x' })).toThrow('prompts: points must be a list of [x, y, label]; got "x".');
    expect(bad({ box: [30, 10, 20, 40] })).toThrow('prompts: box must be [x0, y0, x1, y1] with 0 ≤ x0 < x1 ≤ 200 and 0 ≤ y0 < y1 ≤ 100; got [30,10,20,40].');
    expect(bad({ box: [0, 0, 201, 50] })).toThrow('prompts: box must be [x0, y0, x1, y1] with 0 ≤ x0 < x1 ≤ 200 and 0 ≤ y0 < y1 ≤ 100; got [0,0,201,50].');
    expect(bad({ box: [0, 0, 10] })).toThrow('prompts: box must be [x0, y0, x1, y1] with 0 ≤ x0 < x1 ≤ 200 and 0 ≤ y0 < y1 ≤ 100; got [0,0,10].');
    expect(bad({ points: [] })).toThrow('prompts: give at least one point or a box.');
    expect(bad(null)).toThrow('prompts: expected { points: [[x, y, label], …], box?: [x0, y0, x1, y1] }.');
  });

  it('encodes points in the 1024 frame with a padding point, or a box as labels 2 and 3', () => {
    const a = samPointFeeds(
      {
        points: [
          [50, 20, 1],
          [10, 5, 0],
        ],
        box: null,
      },
      size,
    );
    expect(a.point_coords.shape).toEqual([1, 3, 2]);
    expect(Array.from(a.point_coords.data)).toEqual([256, 102.4, 51.2, 25.6, 0, 0].map(Math.fround));
    expect(Array.from(a.point_labels.data)).toEqual([1, 0, -1]);
    const b = samPointFeeds({ points: [[50, 20, 1]], box: [10, 10, 100, 50] }, size);
    expect(b.point_coords.shape).toEqual([1, 3, 2]);
    expect(Array.from(b.point_coords.data)).toEqual([256, 102.4, 51.2, 51.2, 512, 256].map(Math.fround));
    expect(Array.from(b.point_labels.data)).toEqual([1, 2, 3]);
  });

  it('takes the candidate with the best predicted IoU and thresholds its logits at 0', () => {
    const masks = ndarray('float32', [1, 2, 2, 2], [1, -1, -1, 1, -2, 3, 0, 4]);
    const r = maskFromLogits(masks, ndarray('float32', [1, 2], [0.3, 0.9]));
    expect(r.iou).toBeCloseTo(0.9);
    expect(r.mask.shape).toEqual([2, 2]);
    expect(Array.from(r.mask.data)).toEqual([0, 1, 0, 1]);
    expect(Array.from(maskFromLogits(ndarray('float32', [1, 1, 1, 3], [0.5, 0, -0.5]), null).mask.data)).toEqual([1, 0, 0]);
  });
});

// ───────────────────────────── the service with a fake prompt host ─────────────────────────────

interface FakeControl {
  delayMs: number;
  hang: boolean;
  decodes: number;
  decoderLoads: number;
  embeddingsSet: number;
}

/** A prompt host without ORT: the mask is a disk of radius 10 around each positive point, minus negatives. */
function fakeHost(ctl: FakeControl): PromptHostApi {
  const decoders = new Set<string>();
  const embeddings = new Map<string, [number, number]>();
  return {
    async loadDecoder(key, _name, bytes) {
      if (!(bytes instanceof Uint8Array) || !bytes.byteLength) throw new Error('no decoder bytes');
      ctl.decoderLoads++;
      decoders.add(key);
      return { ms: 0, log: [] };
    },
    async setEmbedding(id, features, size) {
      if (features.data.length !== 256 * 64 * 64) throw new Error('bad features');
      ctl.embeddingsSet++;
      embeddings.set(id, [size[0], size[1]]);
    },
    async holds(key, id) {
      return { needs: [...(decoders.has(key) ? [] : ['decoder' as const]), ...(embeddings.has(id) ? [] : ['embedding' as const])] };
    },
    async decode(req) {
      const size = embeddings.get(req.embeddingId);
      if (!decoders.has(req.decoderKey) || !size)
        return { needs: [...(decoders.has(req.decoderKey) ? [] : ['decoder' as const]), ...(size ? [] : ['embedding' as const])] };
      if (ctl.hang) return new Promise<never>(() => {});
      await sleep(ctl.delayMs);
      ctl.decodes++;
      const [H, W] = size;
      const data = new Uint8Array(H * W);
      for (const [px, py, l] of req.prompts.points) {
        for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - px) ** 2 + (y - py) ** 2 <= 100) data[y * W + x] = l;
      }
      return { mask: ndarray('uint8', [H, W], data), iou: 0.5, ms: ctl.delayMs };
    },
    async stats() {
      return {
        decoderLoads: ctl.decoderLoads,
        embeddingsSet: ctl.embeddingsSet,
        decodes: ctl.decodes,
        decoders: [...decoders],
        embeddings: [...embeddings.keys()],
      };
    },
    async release() {},
  };
}

const promptTable = `
[tool.algobox]
files = ["files/decoder.onnx"]

[tool.algobox.prompt]
kind = "sam"
decoder = "files/decoder.onnx"
`;

const embedRunner = `import { Image2EmbeddingRunner, ndarray } from "algobox";
export class Runner extends Image2EmbeddingRunner {
  async inference(data) {
    const n = data.shape[0];
    return ndarray("float32", [n, 256, 64, 64], new Float32Array(n * 256 * 64 * 64));
  }
}`;

const fakeSam = (name = 'fake_sam', withPrompt = true) => ({
  'pyproject.toml': manifest(name, 'Image2Embedding') + (withPrompt ? promptTable : ''),
  'Runner.js': embedRunner,
  'files/decoder.onnx': new Uint8Array([1, 2, 3, 4]),
});

const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});

function setup(opts: { promptTimeoutMs?: number } = {}) {
  const ctl: FakeControl = { delayMs: 0, hang: false, decodes: 0, decoderLoads: 0, embeddingsSet: 0 };
  const prompts = inProcessPromptWorkerFactory(() => fakeHost(ctl));
  const api = createAlgobox({
    dbName: `prompts-${crypto.randomUUID()}`,
    workerFactory: inProcessWorkerFactory(),
    promptWorkerFactory: prompts,
    persistIntervalMs: 5,
    ...opts,
  });
  apis.push(api);
  return { api, ctl, prompts };
}

const gray = (h: number, w: number) => ndarray('uint8', [h, w], new Uint8Array(h * w));

/** Run `alg` on new gray images; the embedding ids in input order. */
async function embed(api: Algobox, algorithmId: string, images: string[]): Promise<string[]> {
  const rec = await api.executions.wait(await api.execute({ algorithmId, inputDatasetIds: images }));
  expect(rec.error).toBeNull();
  return rec.outputDatasetIds;
}

describe('PromptService (fake decoder)', () => {
  it('segments with a stored embedding and finds embeddings of an image, newest first', async () => {
    const { api, ctl } = setup();
    const alg = await api.algorithms.install(fakeSam());
    const img = await api.datasets.put({ image: gray(60, 80) }, { name: 'small', schema: 'Image' });
    const other = await api.datasets.put({ image: gray(60, 80) }, { schema: 'Image' });
    const [e1] = await embed(api, alg.id, [img]);
    const [, e2] = await embed(api, alg.id, [other, img]);
    expect(await api.prompts.embeddingsFor(img)).toEqual([e2, e1]);
    expect(await api.prompts.embeddingsFor(other)).toHaveLength(1);
    const mask = await api.prompts.segment({ embeddingDatasetId: e1!, points: [[40, 30, 1]] });
    expect(mask.dtype).toBe('uint8');
    expect(mask.shape).toEqual([60, 80]);
    expect(mask.data[30 * 80 + 40]).toBe(1);
    expect(mask.data[0]).toBe(0);
    // The decoder is loaded once; the embedding once per embedding used.
    await api.prompts.segment({ embeddingDatasetId: e1!, points: [[10, 10, 1]] });
    expect(ctl.decoderLoads).toBe(1);
    expect(ctl.embeddingsSet).toBe(1);
    await api.prompts.segment({ embeddingDatasetId: e2!, points: [[10, 10, 1]] });
    expect(ctl.embeddingsSet).toBe(2);
    expect(ctl.decodes).toBe(3);
    // An algorithm without [tool.algobox.prompt] does not count.
    const plain = await api.algorithms.install(fakeSam('plain_embed', false));
    await embed(api, plain.id, [img]);
    expect(await api.prompts.embeddingsFor(img)).toEqual([e2, e1]);
  });

  it('a session coalesces: 10 requests while one decodes → at most 2 decodes, the last result answers the last request', async () => {
    const { api, ctl } = setup();
    const alg = await api.algorithms.install(fakeSam());
    const img = await api.datasets.put({ image: gray(64, 64) }, { schema: 'Image' });
    const [emb] = await embed(api, alg.id, [img]);
    const session = await api.prompts.open(emb!);
    expect(session.imageDatasetId).toBe(img);
    expect([session.width, session.height]).toEqual([64, 64]);
    await session.request({ points: [[1, 1, 1]] }); // warm: decoder and embedding loaded
    ctl.delayMs = 40;
    const before = ctl.decodes;
    const first = session.request({ points: [[5, 5, 1]] });
    const rest = Array.from({ length: 10 }, (_, i) => session.request({ points: [[10 + i * 4, 30, 1]] }));
    const results = await Promise.all([first, ...rest]);
    expect(ctl.decodes - before).toBeLessThanOrEqual(2);
    expect(session.stats()).toMatchObject({ requests: 12, decoded: 3, superseded: 9, failed: 0 });
    const last = results[10]!;
    if (isSuperseded(last)) throw new Error('the last request was superseded');
    expect(last.prompts.points).toEqual([[46, 30, 1]]);
    expect(last.mask.data[30 * 64 + 46]).toBe(1);
    expect(last.mask.data[30 * 64 + 10]).toBe(0);
    expect(results.slice(1, 10).every(isSuperseded)).toBe(true);
    // Invalid prompts reject at once and supersede nothing.
    await expect(session.request({ points: [[64, 0, 1]] })).rejects.toThrow('prompts: point 0 (64, 0) is outside the 64×64 image (0 ≤ x < 64, 0 ≤ y < 64).');
    session.close();
    await expect(session.request({ points: [[1, 1, 1]] })).rejects.toThrow(SESSION_CLOSED_MESSAGE);
  });

  it('reports what is wrong with the dataset, naming it', async () => {
    const { api } = setup();
    // Datasets are named by their names, the id after it.
    const label = async (id: string) => datasetLabel((await api.datasets.get(id, [])).meta);
    const img = await api.datasets.put({ image: gray(8, 8) }, { schema: 'Image', name: 'cells.png' });
    expect(await label(img)).toBe(`'cells.png' (id ${img})`);
    const p = { points: [[1, 1, 1]] as [number, number, 0 | 1][] };
    await expect(api.prompts.segment({ embeddingDatasetId: 'nope', ...p })).rejects.toThrow("Dataset not found: 'nope'.");
    const expected1 = `Dataset ${await label(img)} is not an Embedding dataset (its schema is Image); click-to-segment needs an embedding computed from an image, e.g. by sam_embedding.`;

    await expect(api.prompts.segment({ embeddingDatasetId: img, ...p })).rejects.toThrow(expected1);
    const uploaded = await api.datasets.put(
      { features: ndarray('float32', [256, 64, 64], new Float32Array(256 * 64 * 64)), input_size: [8, 8], original_size: [8, 8] },
      { schema: 'Embedding' },
    );
    const expected2 = `Embedding ${await label(uploaded)} was not computed by an algorithm run (its source is 'upload'), so no prompt decoder is known for it.`;

    await expect(api.prompts.segment({ embeddingDatasetId: uploaded, ...p })).rejects.toThrow(expected2);
    const small = await api.datasets.put(
      { features: ndarray('float32', [4, 2, 2], new Float32Array(16)), input_size: [8, 8], original_size: [8, 8] },
      { schema: 'Embedding' },
    );
    const expected3 = `Embedding ${await label(small)} cannot be decoded: its features are float32 [4, 2, 2]; the sam decoder needs float32 [256, 64, 64].`;

    await expect(api.prompts.segment({ embeddingDatasetId: small, ...p })).rejects.toThrow(expected3);

    const plain = await api.algorithms.install(fakeSam('plain_embed', false));
    const [e0] = await embed(api, plain.id, [img]);
    const expected4 = `Algorithm plain_embed 1.0.0 declares no prompt decoder ([tool.algobox.prompt] in its pyproject.toml), so embedding ${await label(e0!)} cannot be segmented interactively.`;

    await expect(api.prompts.segment({ embeddingDatasetId: e0!, ...p })).rejects.toThrow(expected4);

    const alg = await api.algorithms.install(fakeSam());
    const [e1] = await embed(api, alg.id, [img]);
    await expect(api.prompts.segment({ embeddingDatasetId: e1!, points: [[1, 1, 3]] })).rejects.toThrow(
      'prompts: point 0 has label 3; a label is 1 (object) or 0 (background).',
    );
    await expect(api.prompts.segment({ embeddingDatasetId: e1!, points: [], box: [4, 4, 2, 6] })).rejects.toThrow(
      'prompts: box must be [x0, y0, x1, y1] with 0 ≤ x0 < x1 ≤ 8 and 0 ≤ y0 < y1 ≤ 8; got [4,4,2,6].',
    );
    await api.algorithms.remove(alg.id);
    const expected5 = `The algorithm that computed embedding ${await label(e1!)} (fake_sam 1.0.0) was removed; reinstall it to segment with this embedding.`;

    await expect(api.prompts.segment({ embeddingDatasetId: e1!, ...p })).rejects.toThrow(expected5);
    expect(await api.prompts.embeddingsFor(img)).toEqual([]);
    // Reinstalled (a new id, same name and version): found again.
    await api.algorithms.install(fakeSam());
    expect((await api.prompts.segment({ embeddingDatasetId: e1!, ...p })).shape).toEqual([8, 8]);
    expect(await api.prompts.embeddingsFor(img)).toEqual([e1]);
  });

  it('saves a mask as a Segmentation dataset recording image, embedding and prompts', async () => {
    const { api } = setup();
    const alg = await api.algorithms.install(fakeSam());
    const img = await api.datasets.put({ image: gray(20, 30) }, { name: 'cells.png', schema: 'Image' });
    const [emb] = await embed(api, alg.id, [img]);
    const prompts = {
      points: [
        [15, 10, 1],
        [2, 2, 0],
      ] as [number, number, 0 | 1][],
      box: [1, 1, 29, 19] as [number, number, number, number],
    };
    const mask = await api.prompts.segment({ embeddingDatasetId: emb!, ...prompts });
    const id = await api.prompts.save({ embeddingDatasetId: emb!, mask, prompts });
    const ds = await api.datasets.get(id);
    expect(ds.meta.schema).toBe('Segmentation');
    expect(ds.meta.name).toBe('cells.png (prompt mask)');
    expect(ds.meta.source).toBe(`prompt:${emb}`);
    expect(ds.meta.extra).toEqual({ image: img, embedding: emb, algorithm: 'fake_sam 1.0.0', prompts, inputs: [img] });
    expect(Array.from((ds.fields.mask as NDArray).data)).toEqual(Array.from(mask.data));
    const named = await api.prompts.save({ embeddingDatasetId: emb!, mask, name: 'my cell' });
    expect((await api.datasets.get(named, [])).meta).toMatchObject({ name: 'my cell', extra: { image: img, embedding: emb, inputs: [img] } });
    await expect(api.prompts.save({ embeddingDatasetId: emb!, mask: ndarray('uint8', [30, 20], new Uint8Array(600)) })).rejects.toThrow(
      "prompts.save: mask must have the embedding's original size [20, 30]; got [30, 20].",
    );
    await expect(api.prompts.save({ embeddingDatasetId: emb!, mask: ndarray('float32', [20, 30], new Float32Array(600)) })).rejects.toThrow(
      'prompts.save: mask must be a uint8 NDArray of shape [20, 30]; got float32 [20, 30].',
    );
  });

  it('survives a crash and a hang of the prompt worker: the request fails, the next one starts a new worker', async () => {
    const { api, ctl, prompts } = setup({ promptTimeoutMs: 300 });
    const alg = await api.algorithms.install(fakeSam());
    const img = await api.datasets.put({ image: gray(16, 16) }, { schema: 'Image' });
    const [emb] = await embed(api, alg.id, [img]);
    const p = { embeddingDatasetId: emb!, points: [[8, 8, 1]] as [number, number, 0 | 1][] };
    await api.prompts.segment(p);
    expect(prompts.created).toBe(1);

    ctl.delayMs = 200;
    const pending = api.prompts.segment(p);
    await sleep(50);
    prompts.crash('The worker crashed: out of memory');
    await expect(pending).rejects.toThrow('The prompt worker stopped (The worker crashed: out of memory); it will be restarted on the next request.');
    ctl.delayMs = 0;
    expect((await api.prompts.segment(p)).shape).toEqual([16, 16]);
    expect(prompts.created).toBe(2);

    ctl.hang = true;
    await expect(api.prompts.segment(p)).rejects.toThrow(
      'The prompt worker did not finish decoding within 0.3 s; it was stopped and will be restarted on the next request.',
    );
    expect(prompts.terminated).toBeGreaterThanOrEqual(2);
    ctl.hang = false;
    expect((await api.prompts.segment(p)).shape).toEqual([16, 16]);
    expect(prompts.created).toBe(3);
    // The worker ends with the engine.
    await api.close();
    expect(prompts.terminated).toBe(3);
    await expect(api.prompts.segment(p)).rejects.toThrow('The engine was shut down; click-to-segment is no longer available.');
  });
});
