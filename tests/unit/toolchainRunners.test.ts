// Compox runners as toolchain blocks (src/engine/runnerBlocks.ts, planned in src/core/beat/toolchain.ts):
// schema and planning (input inference over image formats, ambiguity), one execution per block on
// reused or stored dataset ids, posted datasets mapped back onto the units (N → N, 1 → all, else the
// block fails), strict conversion of the outputs, failures and cancellation; and the built-in
// "segmentation evaluation (Compox runner)" toolchain against Dice/IoU computed directly.
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { installBuiltinBlocks, runnerEvalToolchain } from '../../src/blocks';
import { diceAndIou } from '../../src/blocks/segmentationEval.block.js';
import { BeatError, DataFormatRegistry, parseDeclaration, planToolchain, RUNNER_INPUT, type RunnerDescription } from '../../src/core/beat';
import { ndarray, stack, type NDArray } from '../../src/core/ndarray';
import type { ToolchainRunRecord } from '../../src/core/toolchainRecords';
import * as filters from '../../src/sdk/image/filters';
import { manifest } from './helpers/bundles';
import { inProcessBlockWorkerFactory, inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { builtinBundleFolder } from './helpers/builtinFolder';
import { expectEvaluationResult } from './helpers/evaluationResult';

const folder = builtinBundleFolder;

/**
 * A test runner (Image2Segmentation): mask = image > threshold per input image, posted one per image
 * ("each"), or as one union mask ("union"), or one too few ("drop"), or as uint16 ("uint16"); "fail"
 * throws, "slow" reports progress for about a second first.
 */
const PROBE = {
  'pyproject.toml': manifest(
    'probe',
    'Image2Segmentation',
    `additional_parameters = [
  {name = "mode", description = "what to do", config = {type = "string_enum", default = "each", options = ["each", "union", "drop", "uint16", "fail", "slow"], adjustable = true}},
  {name = "threshold", description = "foreground above", config = {type = "float", default = 100.0, adjustable = true}},
]`,
  ),
  'Runner.js': `
import { Image2SegmentationRunner, ndarray } from "algobox";
export class Runner extends Image2SegmentationRunner {
  async inference(data, args) {
    if (args.mode === "fail") throw new Error("probe failed on purpose");
    if (args.mode === "slow") {
      for (let i = 1; i <= 50; i++) {
        await this.setProgress(i / 50);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const wide = args.mode === "uint16";
    const out = wide ? new Uint16Array(data.data.length) : new Uint8Array(data.data.length);
    for (let i = 0; i < out.length; i++) out[i] = data.data[i] > args.threshold ? (wide ? 300 : 1) : 0;
    return ndarray(wide ? "uint16" : "uint8", data.shape, out);
  }
  async postprocess(masks, args) {
    const [n, ...rest] = masks.shape;
    const size = rest.reduce((a, b) => a * b, 1);
    const items = [];
    for (let k = 0; k < n; k++) items.push({ mask: ndarray(masks.dtype, rest, masks.data.slice(k * size, (k + 1) * size)) });
    if (args.mode === "union") {
      const u = new Uint8Array(size);
      for (const it of items) for (let i = 0; i < size; i++) if (it.mask.data[i]) u[i] = 1;
      return this.postDataAs([{ mask: ndarray("uint8", rest, u) }], "Segmentation");
    }
    if (args.mode === "drop") items.pop();
    return this.postDataAs(items, "Segmentation");
  }
}`,
};

/** A BEAT block: inverted = 255 − image (uint8). */
const INVERT_DECL = {
  language: 'javascript',
  groups: [{ inputs: { image: { type: 'system/array_2d_uint8/1' } }, outputs: { inverted: { type: 'system/array_2d_uint8/1' } } }],
};
const INVERT_SRC = `export class Algorithm {
  process(inputs, outputs) {
    const img = inputs.get('image').data.value;
    outputs.get('inverted').write({ value: { dtype: 'uint8', shape: [...img.shape], data: Uint8Array.from(img.data, (v) => 255 - v) } });
    return true;
  }
}`;
/** A BEAT block counting foreground pixels of masks (uint8) → int32. */
const COUNT_DECL = {
  language: 'javascript',
  groups: [{ inputs: { mask: { type: 'system/array_2d_uint8/1' } }, outputs: { count: { type: 'system/int32/1' } } }],
};
const COUNT_SRC = `export class Algorithm {
  process(inputs, outputs) {
    let n = 0;
    for (const v of inputs.get('mask').data.value.data) if (v) n++;
    outputs.get('count').write({ value: n });
    return true;
  }
}`;

const apis: Algobox[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

interface Setup {
  api: Algobox;
  probe: string;
  threshold: string;
}

async function setup(): Promise<Setup> {
  const api = createAlgobox({
    dbName: `toolchain-runners-${crypto.randomUUID()}`,
    workerFactory: inProcessWorkerFactory(),
    blockWorkerFactory: inProcessBlockWorkerFactory(),
    blockPoolSize: 2,
    persistIntervalMs: 5,
  });
  apis.push(api);
  await api.ready;
  await installBuiltinBlocks(api.blocks);
  await api.blocks.install(INVERT_DECL, INVERT_SRC, { name: 'user/invert/1' });
  await api.blocks.install(COUNT_DECL, COUNT_SRC, { name: 'user/count/1' });
  const threshold = (await api.algorithms.install(folder('threshold_segmentation'), { builtin: true })).id;
  const probe = (await api.algorithms.install(PROBE)).id;
  return { api, probe, threshold };
}

/** 2×2 uint8 images with these pixels. */
const IMAGES = [
  [10, 200, 150, 0],
  [255, 255, 0, 90],
  [101, 100, 99, 180],
];
const img = (px: number[]): NDArray => ndarray('uint8', [2, 2], px);
const maskOf = (px: number[], t = 100): number[] => px.map((v) => (v > t ? 1 : 0));

async function putImages(api: Algobox, list: number[][] = IMAGES): Promise<string[]> {
  const ids: string[] = [];
  for (const px of list) ids.push(await api.datasets.put({ image: img(px) }, { schema: 'Image' }));
  return ids;
}

async function values(api: Algobox, ids: string[], field = 'value'): Promise<number[][]> {
  return Promise.all(ids.map(async (id) => Array.from(((await api.datasets.get(id)).fields[field] as NDArray).data)));
}

async function run(api: Algobox, t: unknown): Promise<ToolchainRunRecord> {
  return api.toolchains.wait(await api.toolchains.run(t));
}

const U8 = 'system/array_2d_uint8/1';

// ---------------------------------------------------------------------------------------------------
// Planning (pure): schema, declarations, Input naming over image formats.

const RUNNERS: Record<string, RunnerDescription> = {
  seg: { id: 'id-seg', name: 'seg', version: '1.0.0', algorithmType: 'Image2Segmentation' },
  den: { id: 'id-den', name: 'den', version: '2.0.0', algorithmType: 'Image2Image' },
  clean: { id: 'id-clean', name: 'clean', version: '1.0.0', algorithmType: 'Segmentation2Segmentation' },
  args: {
    id: 'id-args',
    name: 'args',
    version: '1.0.0',
    algorithmType: 'Image2Segmentation',
    additionalParameters: [
      {
        name: 'method',
        description: '',
        config: { type: 'string_enum', default: 'a', options: ['a', 'b'], adjustable: true, min: null, max: null, step: null },
      },
    ],
  },
};
const DECLS = { 'user/count/1': parseDeclaration(COUNT_DECL), 'user/invert/1': parseDeclaration(INVERT_DECL) } as Record<
  string,
  ReturnType<typeof parseDeclaration>
>;
const plan = (t: unknown, dataFormats?: DataFormatRegistry) =>
  planToolchain(t, (a) => DECLS[a] ?? null, {
    runnerOf: (r) => RUNNERS[r] ?? Object.values(RUNNERS).find((x) => x.id === r) ?? null,
    ...(dataFormats ? { dataFormats } : {}),
  });
function problems(t: unknown, dataFormats?: DataFormatRegistry): string[] {
  try {
    plan(t, dataFormats);
  } catch (e) {
    expect(e).toBeInstanceOf(BeatError);
    return [...(e as BeatError).details];
  }
  throw new Error('expected the toolchain to be refused');
}

const images = { name: 'images', datasetIds: ['a', 'b'], field: 'image', format: 'system/array_2d_uint16/1' };
const labels = { name: 'labels', values: [{ value: 1 }], format: 'system/int32/1', ranges: [[0, 1]] };

describe('runner blocks: schema and planning', () => {
  it('an entry names exactly one of algorithm and runner; device and outputs only for runners (messages name the field)', () => {
    expect(problems({ sources: [images], blocks: [{ name: 'x' }] })).toEqual([
      'blocks[0]: expected exactly one of `algorithm` (an installed BEAT block) and `runner` (an installed Compox algorithm), got neither',
    ]);
    expect(problems({ sources: [images], blocks: [{ name: 'x', algorithm: 'user/count/1', runner: 'seg' }] })).toEqual([
      'blocks[0].runner: expected exactly one of `algorithm` (an installed BEAT block) and `runner` (an installed Compox algorithm), got both',
    ]);
    expect(problems({ sources: [images], blocks: [{ name: 'x', algorithm: 'user/count/1', device: 'cpu', outputs: { mask: U8 } }] })).toEqual([
      'blocks[0].device: only a runner block has a device',
      "blocks[0].outputs: only a runner block declares outputs (a BEAT block's are in its declaration)",
    ]);
    expect(problems({ sources: [images], blocks: [{ name: 'x', runner: 'seg', device: 'tpu', outputs: { ok: 'nope' } }] })).toEqual([
      'blocks[0].device: Invalid option: expected one of "cpu"|"gpu", got string "tpu"',
      'blocks[0].outputs.ok: expected a data format name <user>/<name>/<version>, got string "nope"',
    ]);
    expect(problems({ sources: [images], blocks: [{ name: 'x', runner: 'seg', outputs: { 'bad name': U8 } }] })).toEqual([
      "blocks[0].outputs.bad name: 'bad name': expected a name of letters, digits, _ and - (not starting with a digit or -)",
    ]);
  });

  it('runner, outputs and parameters are checked against the installed algorithm', () => {
    expect(
      problems({
        sources: [images],
        blocks: [
          { name: 'a', runner: 'nope' },
          { name: 'b', runner: 'den' },
          { name: 'c', runner: 'seg', outputs: { mask: 'plot/bar/1', other: 'user/unknown/1' } },
          { name: 'd', runner: 'args', parameters: { method: 'z' } },
          { name: 'e', runner: 'seg', outputs: {} },
        ],
      }),
    ).toEqual([
      "blocks[0].runner: no installed Compox algorithm 'nope'",
      'blocks[1].outputs: runner \'den\' (Image2Image) has no default outputs; declare the fields of the datasets it posts with their data formats, e.g. "outputs": { "image": "system/array_2d_float32/1" }',
      "blocks[2].outputs.mask: data format 'plot/bar/1' must have the single field 'value' (a runner's output unit is { value: <the posted dataset's field 'mask'> }), it has 'data'",
      "blocks[2].outputs.other: unknown data format 'user/unknown/1'",
      expect.stringMatching(/^blocks\[3\]\.parameters: .*method/),
      'blocks[4].outputs: a runner block needs at least one output',
    ]);
  });

  it('a runner block: one input, input_dataset_ids, inferred from the only image source; default outputs by type; a synthesized declaration', () => {
    const p = plan({
      sources: [images, labels],
      blocks: [
        { name: 'seg', runner: 'seg', parameters: { x: 1 } },
        { name: 'n', algorithm: 'user/count/1' },
      ],
    });
    const seg = p.blocks.find((b) => b.name === 'seg')!;
    expect(seg.inputs).toEqual({ [RUNNER_INPUT]: { kind: 'source', source: 'images', format: 'system/array_2d_uint16/1' } });
    expect(seg.inferred).toEqual({ [RUNNER_INPUT]: true });
    expect(seg.algorithm).toBe('seg 1.0.0');
    expect(seg.runner).toEqual({
      id: 'id-seg',
      name: 'seg',
      version: '1.0.0',
      algorithmType: 'Image2Segmentation',
      device: null,
      imageField: 'value',
      reads: { schema: 'Image', key: 'image' },
      outputs: { mask: U8 },
    });
    expect(seg.declaration).toMatchObject({
      splittable: false,
      isAnalyzer: false,
      inputMap: { [RUNNER_INPUT]: 'system/array_2d_uint16/1' },
      outputMap: { mask: U8 },
    });
    expect(seg.parameters).toEqual({ x: 1 }); // runner arguments (checked only when the algorithm declares its parameters)
    // The count block reads the runner's mask (the only uint8 2-D output) by Input naming.
    expect(p.blocks.find((b) => b.name === 'n')!.inputs.mask).toEqual({ kind: 'block', block: 'seg', output: 'mask', format: U8 });
    expect(p.blocks.map((b) => b.name)).toEqual(['seg', 'n']);
    // Found by id too; Segmentation2Segmentation reads masks; declared outputs replace the defaults.
    const clean = plan({ sources: [images], blocks: [{ name: 'c', runner: 'id-clean', device: 'gpu', outputs: { mask: 'system/array_2d_uint16/1' } }] })
      .blocks[0]!;
    expect(clean.runner).toMatchObject({
      name: 'clean',
      device: 'gpu',
      reads: { schema: 'Segmentation', key: 'mask' },
      outputs: { mask: 'system/array_2d_uint16/1' },
    });
  });

  it('the runner input accepts formats with one image array (2-D or 3-D, uint8/uint16/float32/float64); several candidates must be connected by hand', () => {
    const truth = { name: 'truth', datasetIds: ['t'], field: 'mask', format: U8 };
    expect(problems({ sources: [images, truth], blocks: [{ name: 'seg', runner: 'seg' }] })).toEqual([
      "input 'seg.input_dataset_ids' (any format with one image array) is ambiguous between source 'images', source 'truth'; connect it by hand",
    ]);
    const byHand = plan({ sources: [images, truth], blocks: [{ name: 'seg', runner: 'seg' }], connections: [{ from: 'truth', to: 'seg.input_dataset_ids' }] });
    expect(byHand.blocks[0]!.inputs[RUNNER_INPUT]).toMatchObject({ source: 'truth' });
    expect(byHand.blocks[0]!.inferred[RUNNER_INPUT]).toBe(false);
    // A source named after the input wins.
    expect(
      plan({ sources: [images, { ...truth, name: RUNNER_INPUT }], blocks: [{ name: 'seg', runner: 'seg' }] }).blocks[0]!.inputs[RUNNER_INPUT],
    ).toMatchObject({
      source: RUNNER_INPUT,
    });
    // Not images: int32 values, 1-D arrays, int32 or bool arrays, 4-D arrays.
    for (const format of ['system/int32/1', 'system/array_1d_uint8/1', 'system/array_2d_int32/1', 'system/array_2d_bool/1', 'system/array_4d_float32/1']) {
      expect(problems({ sources: [{ ...labels, format }], blocks: [{ name: 'seg', runner: 'seg' }] })).toEqual([
        "input 'seg.input_dataset_ids' (any format with one image array): no source or block output of such a format; connect it by hand",
      ]);
      expect(
        problems({
          sources: [{ ...labels, format }],
          blocks: [{ name: 'seg', runner: 'seg' }],
          connections: [{ from: 'labels', to: 'seg.input_dataset_ids' }],
        })[0],
      ).toBe(
        `connections[0]: source 'labels' is ${format} but input 'seg.input_dataset_ids' expects a data format with one image array field (2-D or 3-D; uint8, uint16, float32 or float64)`,
      );
    }
    for (const format of ['system/array_3d_float32/1', 'system/array_2d_float64/1', 'system/array_2d_floats/1']) {
      expect(plan({ sources: [{ ...images, format }], blocks: [{ name: 'seg', runner: 'seg' }] }).blocks[0]!.runner!.imageField).toBe('value');
    }
    // User formats: the one image array field is the image (others ignored); two image arrays are not accepted.
    const formats = new DataFormatRegistry({
      'user/labelled/1': { label: 'int32', picture: [0, 0, 'uint8'], notes: 'string' },
      'user/pair/1': { a: [0, 0, 'uint8'], b: [0, 0, 'uint8'] },
    });
    expect(plan({ sources: [{ ...labels, format: 'user/labelled/1' }], blocks: [{ name: 'seg', runner: 'seg' }] }, formats).blocks[0]!.runner!.imageField).toBe(
      'picture',
    );
    expect(problems({ sources: [{ ...labels, format: 'user/pair/1' }], blocks: [{ name: 'seg', runner: 'seg' }] }, formats)).toHaveLength(1);
    // The runner's outputs are checked like any other: a uint8 mask into a uint16 input is refused.
    const toInvert = [
      { from: 'images', to: 'seg.input_dataset_ids' },
      { from: 'seg.mask', to: 'inv.image' },
    ];
    expect(
      plan({
        sources: [images],
        blocks: [
          { name: 'seg', runner: 'seg' },
          { name: 'inv', algorithm: 'user/invert/1' },
        ],
        connections: toInvert,
      }).blocks[1]!.dependsOn,
    ).toEqual(['seg']);
    expect(
      problems({
        sources: [images],
        blocks: [
          { name: 'seg', runner: 'seg', outputs: { mask: 'system/array_2d_uint16/1' } },
          { name: 'inv', algorithm: 'user/invert/1' },
        ],
        connections: toInvert,
      })[0],
    ).toBe("connections[1]: output 'seg.mask' is system/array_2d_uint16/1 but input 'inv.image' expects system/array_2d_uint8/1");
    // A runner cannot read its own output; the order follows the connections.
    expect(problems({ sources: [labels], blocks: [{ name: 'seg', runner: 'seg' }], connections: [{ from: 'seg.mask', to: 'seg.input_dataset_ids' }] })[0]).toBe(
      "connections[0]: block 'seg' cannot read its own output",
    );
    const chain = plan({
      sources: [images],
      blocks: [
        { name: 'clean', runner: 'clean' },
        { name: 'seg', runner: 'seg' },
      ],
      connections: [
        { from: 'images', to: 'seg.input_dataset_ids' },
        { from: 'seg.mask', to: 'clean.input_dataset_ids' },
      ],
    });
    expect(chain.blocks.map((b) => b.name)).toEqual(['seg', 'clean']);
  });
});

// ---------------------------------------------------------------------------------------------------
// Running through the API.

describe('runner blocks: running', () => {
  it('stored sources pass their own dataset ids; one execution; N posted datasets map onto the N units', async () => {
    const { api, probe } = await setup();
    const ids = await putImages(api);
    const t = {
      name: 'probe run',
      sources: [
        {
          name: 'images',
          datasetIds: ids,
          field: 'image',
          format: U8,
          ranges: [
            [0, 1],
            [2, 4],
            [5, 5],
          ],
        },
      ],
      blocks: [
        { name: 'seg', runner: 'probe' },
        { name: 'n', algorithm: 'user/count/1' },
      ],
    };
    const rec = await run(api, t);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe('DONE');
    const seg = rec.blocks.seg!;
    expect(seg).toMatchObject({
      status: 'DONE',
      algorithm: 'probe 1.0.0',
      processCalls: 1,
      executionStatus: 'COMPLETED',
      executionProgress: 1,
      runner: { id: probe, name: 'probe', algorithmType: 'Image2Segmentation' },
    });
    const execution = await api.executions.get(seg.executionId!);
    expect(execution).toMatchObject({ status: 'COMPLETED', algorithmId: probe, inputDatasetIds: ids });
    expect((await api.executions.list()).length).toBe(1);
    // Nothing stored for the input: the datasets were passed as they are.
    expect((await api.datasets.list()).filter((d) => d.extra.stream === `seg.${RUNNER_INPUT}`)).toEqual([]);
    expect(seg.outputs.mask).toMatchObject({
      stream: 'seg.mask',
      format: U8,
      indices: [
        [0, 1],
        [2, 4],
        [5, 5],
      ],
    });
    expect(await values(api, seg.outputs.mask!.datasetIds)).toEqual(IMAGES.map((px) => maskOf(px)));
    const stored = await api.datasets.get(seg.outputs.mask!.datasetIds[1]!);
    expect(stored.meta.extra).toMatchObject({ toolchainRun: rec.id, stream: 'seg.mask', start: 2, end: 4, format: U8 });
    // The dependant ran on the mapped units.
    expect(rec.blocks.n!.outputs.count).toMatchObject({
      indices: [
        [0, 1],
        [2, 4],
        [5, 5],
      ],
    });
    expect(await values(api, rec.blocks.n!.outputs.count!.datasetIds)).toEqual([[2], [2], [2]]);

    // A stack source: its datasets, in stack order.
    const st = await api.stacks.create({ name: 'three', datasetIds: [ids[2]!, ids[0]!, ids[1]!] });
    const fromStack = await run(api, { ...t, sources: [{ name: 'images', stackId: st.id, field: 'image', format: U8 }] });
    expect((await api.executions.get(fromStack.blocks.seg!.executionId!)).inputDatasetIds).toEqual([ids[2], ids[0], ids[1]]);
    expect(fromStack.blocks.seg!.outputs.mask!.indices).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
  });

  it('one posted dataset covers the whole input range', async () => {
    const { api } = await setup();
    const ids = await putImages(api);
    const rec = await run(api, {
      sources: [
        {
          name: 'images',
          datasetIds: ids,
          field: 'image',
          format: U8,
          ranges: [
            [2, 3],
            [4, 4],
            [5, 9],
          ],
        },
      ],
      blocks: [
        { name: 'seg', runner: 'probe', parameters: { mode: 'union' } },
        { name: 'n', algorithm: 'user/count/1' },
      ],
    });
    expect(rec.status).toBe('DONE');
    expect(rec.blocks.seg!.outputs.mask!.indices).toEqual([[2, 9]]);
    expect(await values(api, rec.blocks.seg!.outputs.mask!.datasetIds)).toEqual([[1, 1, 1, 1]]);
    expect(rec.blocks.n!.outputs.count!.indices).toEqual([[0, 9]]); // a BEAT output starts at 0
  });

  it('units not read from stored images are stored first (one dataset per unit, marked with the run and stream), then executed on', async () => {
    const { api } = await setup();
    const ids = await putImages(api);
    // Inline values, and a BEAT block's output (inverted images) feeding a runner.
    const t = {
      name: 'stored inputs',
      sources: [
        {
          name: 'pics',
          values: IMAGES.map((px) => ({ value: img(px) })),
          format: U8,
          ranges: [
            [0, 0],
            [1, 2],
            [3, 3],
          ],
        },
      ],
      blocks: [
        { name: 'inv', algorithm: 'user/invert/1' },
        { name: 'direct', runner: 'probe' },
        { name: 'after', runner: 'probe' },
      ],
      connections: [
        { from: 'pics', to: 'inv.image' },
        { from: 'pics', to: 'direct.input_dataset_ids' },
        { from: 'inv.inverted', to: 'after.input_dataset_ids' },
      ],
    };
    const rec = await run(api, t);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe('DONE');
    const all = await api.datasets.list();
    for (const [block, pixels] of [
      ['direct', IMAGES],
      ['after', IMAGES.map((px) => px.map((v) => 255 - v))],
    ] as const) {
      const stream = `${block}.${RUNNER_INPUT}`;
      const inputs = (await api.executions.get(rec.blocks[block]!.executionId!)).inputDatasetIds;
      const marked = all.filter((d) => d.extra.stream === stream);
      expect(marked.map((d) => d.id).sort()).toEqual([...inputs].sort());
      const metas = inputs.map((id) => all.find((d) => d.id === id)!);
      expect(metas.map((m) => [m.source, m.schema, m.extra])).toEqual(
        [
          [0, 0],
          [1, 2],
          [3, 3],
        ].map(([start, end]) => [`toolchain:${rec.id}`, 'Image', { toolchainRun: rec.id, stream, start, end }]),
      );
      expect(await values(api, inputs, 'image')).toEqual(pixels);
      expect(await values(api, rec.blocks[block]!.outputs.mask!.datasetIds)).toEqual(pixels.map((px) => maskOf([...px])));
      expect(rec.blocks[block]!.outputs.mask!.indices).toEqual([
        [0, 0],
        [1, 2],
        [3, 3],
      ]);
    }
    // A stored source read from another field than the runner's (`mask` of Segmentation datasets) is stored as Image datasets.
    const masks: string[] = [];
    for (const px of IMAGES) masks.push(await api.datasets.put({ mask: img(px) }, { schema: 'Segmentation' }));
    const fromMasks = await run(api, { sources: [{ name: 'm', datasetIds: masks, field: 'mask', format: U8 }], blocks: [{ name: 'seg', runner: 'probe' }] });
    const used = (await api.executions.get(fromMasks.blocks.seg!.executionId!)).inputDatasetIds;
    expect(used.filter((id) => masks.includes(id))).toEqual([]);
    expect(await values(api, used, 'image')).toEqual(IMAGES);
    expect(ids).toHaveLength(3);
  });

  it('posting neither one dataset per unit nor exactly one fails the block (dependants skipped)', async () => {
    const { api } = await setup();
    const ids = await putImages(api);
    const rec = await run(api, {
      sources: [{ name: 'images', datasetIds: ids, field: 'image', format: U8 }],
      blocks: [
        { name: 'seg', runner: 'probe', parameters: { mode: 'drop' } },
        { name: 'n', algorithm: 'user/count/1' },
      ],
    });
    expect(rec.status).toBe('FAILED');
    const id = rec.blocks.seg!.executionId!;
    expect(rec.blocks.seg!.error).toEqual({
      code: 'E_RUNNER',
      block: 'seg',
      message: `block 'seg' failed (process): execution ${id} of probe 1.0.0 posted 2 datasets for 3 input units; a runner block needs one posted dataset per input unit, or exactly one (covering them all)`,
    });
    expect(rec.blocks.seg!.outputs).toEqual({});
    expect(rec.blocks.n).toMatchObject({ status: 'SKIPPED', error: { block: 'seg', message: "not run: block 'seg' failed" } });
  });

  it('posted fields are converted strictly to the declared formats: errors name the block, the output, the dataset, the value and the format', async () => {
    const { api } = await setup();
    const ids = await putImages(api);
    const t = (block: Record<string, unknown>) => ({
      sources: [{ name: 'images', datasetIds: ids, field: 'image', format: U8 }],
      blocks: [{ name: 'seg', runner: 'probe', ...block }],
    });
    const wide = await run(api, t({ parameters: { mode: 'uint16' } }));
    expect(wide.blocks.seg!.status).toBe('FAILED');
    expect(wide.blocks.seg!.error!.code).toBe('E_FORMAT_CAST');
    expect(wide.blocks.seg!.error!.message).toMatch(
      /^block 'seg' failed \(process\): output 'mask': posted dataset 1 of 3 \('dataset-[0-9a-f]{8} · uint16 mask'\), field 'mask' = NDArray uint16 \[2, 2\], is not system\/array_2d_uint8\/1 \(\{ value: <field> \}\): field 'value': cannot safely cast an array of uint16 to uint8$/,
    );
    // Declared wider, it converts.
    const ok = await run(api, t({ parameters: { mode: 'uint16' }, outputs: { mask: 'system/array_2d_int32/1' } }));
    expect(ok.blocks.seg!.status).toBe('DONE');
    expect(await values(api, ok.blocks.seg!.outputs.mask!.datasetIds)).toEqual(IMAGES.map((px) => maskOf(px).map((v) => v * 300)));
    // A declared output the posted datasets do not have; a rank the format does not have.
    const missing = await run(api, t({ outputs: { labels: U8 } }));
    expect(missing.blocks.seg!.error!.message).toMatch(
      /^block 'seg' failed \(process\): output 'labels': posted dataset 1 of 3 \('dataset-[0-9a-f]{8} · each mask'\) has no field 'labels' \(its fields: mask\)$/,
    );
    const rank = await run(api, t({ outputs: { mask: 'system/array_3d_uint8/1' } }));
    expect(rank.blocks.seg!.error).toMatchObject({
      code: 'E_FORMAT_SHAPE',
      message: expect.stringContaining("field 'mask' = NDArray uint8 [2, 2], is not system/array_3d_uint8/1"),
    });
  });

  it("a failing runner fails its block with the execution's error; dependants are skipped; the inputs stored for it are removed", async () => {
    const { api } = await setup();
    const rec = await run(api, {
      sources: [{ name: 'pics', values: IMAGES.map((px) => ({ value: img(px) })), format: U8 }],
      blocks: [
        { name: 'seg', runner: 'probe', parameters: { mode: 'fail' } },
        { name: 'n', algorithm: 'user/count/1' },
        { name: 'm', algorithm: 'user/count/1' },
      ],
      connections: [
        { from: 'seg.mask', to: 'n.mask' },
        { from: 'seg.mask', to: 'm.mask' },
      ],
    });
    expect(rec.status).toBe('FAILED');
    const id = rec.blocks.seg!.executionId!;
    expect(rec.blocks.seg).toMatchObject({ status: 'FAILED', processCalls: 1, executionStatus: 'FAILED' });
    expect(rec.blocks.seg!.error).toEqual({
      code: 'E_RUNNER',
      block: 'seg',
      message: `block 'seg' failed (process): execution ${id} of probe 1.0.0 FAILED: probe failed on purpose`,
    });
    for (const b of ['n', 'm']) expect(rec.blocks[b]).toMatchObject({ status: 'SKIPPED', processCalls: 0, error: { block: 'seg' } });
    expect((await api.executions.get(id)).status).toBe('FAILED');
    expect((await api.datasets.list()).filter((d) => d.source === `toolchain:${rec.id}`)).toEqual([]);
    // A unit that cannot be an Image (a 3-D array that is not 3×H×W) fails the block before any execution.
    const bad = await run(api, {
      sources: [{ name: 'vol', values: [{ value: ndarray('uint8', [2, 2, 2]) }], format: 'system/array_3d_uint8/1' }],
      blocks: [{ name: 'seg', runner: 'probe' }],
    });
    expect(bad.blocks.seg!.error!.message).toMatch(
      /^block 'seg' failed \(process\): input unit 1 of 1 \[0–0\] \(field 'value' = NDArray uint8 \[2, 2, 2\]\) cannot be given to the runner as a Image dataset: .*Image must be 2D/,
    );
    expect(bad.blocks.seg!.executionId).toBeUndefined();
    expect((await api.executions.list()).length).toBe(1);
  });

  it("subscribers see the execution's id and progress; cancelling the toolchain cancels the execution", async () => {
    const { api } = await setup();
    const t = {
      sources: [{ name: 'pics', values: IMAGES.map((px) => ({ value: img(px) })), format: U8 }],
      blocks: [
        { name: 'seg', runner: 'probe', parameters: { mode: 'slow' } },
        { name: 'n', algorithm: 'user/count/1' },
      ],
    };
    const runId = await api.toolchains.run(t);
    const seen: { status?: string; progress?: number; calls: number }[] = [];
    await new Promise<void>((resolve) => {
      const off = api.toolchains.subscribe(runId, (rec) => {
        const b = rec.blocks.seg!;
        seen.push({ status: b.executionStatus, progress: b.executionProgress, calls: b.processCalls });
        if (b.executionId && (b.executionProgress ?? 0) > 0.1) {
          off();
          resolve();
        }
      });
    });
    const live = await api.toolchains.get(runId);
    const executionId = live.blocks.seg!.executionId!;
    expect(live.blocks.seg).toMatchObject({ status: 'RUNNING', processCalls: 1, executionStatus: 'RUNNING' });
    expect(seen.some((s) => s.status === 'RUNNING' && (s.progress ?? 0) > 0 && (s.progress ?? 0) < 1)).toBe(true);
    const cancelled = await api.toolchains.cancel(runId);
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.blocks.seg).toMatchObject({
      status: 'CANCELLED',
      executionId,
      executionStatus: 'CANCELLED',
      outputs: {},
      error: { code: 'E_CANCELLED', block: 'seg' },
    });
    expect(cancelled.blocks.n).toMatchObject({ status: 'CANCELLED', processCalls: 0 });
    expect(await api.executions.get(executionId)).toMatchObject({ status: 'CANCELLED', outputDatasetIds: [] });
    // Nothing of the run remains: the stored inputs are removed, and the execution posted nothing.
    expect((await api.datasets.list()).filter((d) => d.source === `toolchain:${runId}` || d.source === `execution:${executionId}`)).toEqual([]);
  });
});

describe('the built-in runner toolchain', () => {
  it('segmentation evaluation (Compox runner): threshold_segmentation (Otsu over the stack) → Dice/IoU as computed directly', async () => {
    const { api, threshold } = await setup();
    await api.samples.ensure();
    const t = runnerEvalToolchain(await api.datasets.list(), await api.stacks.list());
    expect(t.name).toBe('segmentation evaluation (Compox runner)');
    const rec = await run(api, t);
    expect(rec.error).toBeNull();
    expect(rec.status).toBe('DONE');
    expect(rec.blocks.threshold).toMatchObject({ status: 'DONE', processCalls: 1, runner: { id: threshold, name: 'threshold_segmentation' } });
    const imageIds = t.sources[0]!.datasetIds!;
    const truthIds = t.sources[1]!.datasetIds!;
    expect((await api.executions.get(rec.blocks.threshold!.executionId!)).inputDatasetIds).toEqual(imageIds);
    expect(rec.blocks.threshold!.outputs.mask!.indices).toEqual([0, 1, 2, 3, 4].map((k) => [k, k]));
    expect(rec.blocks.evaluation!.processCalls).toBe(5);

    // Direct: Otsu over the five images stacked (as the bundle does), per-image Dice and IoU.
    const imgs = await Promise.all(imageIds.map(async (id) => (await api.datasets.get(id)).fields.image as NDArray));
    const { mask } = filters.threshold(stack(imgs), 'otsu');
    const size = imgs[0]!.data.length;
    const direct = await Promise.all(
      truthIds.map(async (id, k) => diceAndIou(mask.data.subarray(k * size, (k + 1) * size), ((await api.datasets.get(id)).fields.mask as NDArray).data)),
    );
    expect(await values(api, rec.blocks.threshold!.outputs.mask!.datasetIds)).toEqual(
      imgs.map((_, k) => Array.from(mask.data.subarray(k * size, (k + 1) * size))),
    );
    const result = rec.blocks.evaluation!.results!;
    expect(direct).toHaveLength(5);
    expectEvaluationResult(result, direct);
    expect(direct.every((r) => r.dice > 0.5)).toBe(true); // Otsu segments the cells
  });
});
