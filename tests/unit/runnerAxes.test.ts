// Axes metadata for runners (issue 14): describeData and openArray tell a bundle what the axes of its
// inputs mean (names, units, physical sizes, channels), outputs inherit their input's axes when the
// shapes allow it, and a runner can set its outputs' axes (only on what it posted).
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { axisOf, type ImageAxes } from '../../src/core/imageAxes';
import { ndarray } from '../../src/core/ndarray';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { manifest } from './helpers/bundles';
import { builtinBundleFolder } from './helpers/builtinFolder';

const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});
function makeApi(): Algobox {
  const api = createAlgobox({
    dbName: `raxes-${crypto.randomUUID()}`,
    workerFactory: inProcessWorkerFactory(),
    sandboxWorkerFactory: inProcessWorkerFactory(),
    storageManager: null,
  });
  apis.push(api);
  return api;
}

const czyx: ImageAxes = {
  axes: [axisOf('c'), axisOf('z', 'micrometer', 2), axisOf('y', 'micrometer', 0.5), axisOf('x', 'micrometer', 0.5)],
  channels: [
    { label: 'DAPI', color: '0000FF', window: null, active: true },
    { label: 'GFP', color: '00FF00', window: { start: 0, end: 500 }, active: true },
  ],
};

/** A third-party Generic bundle: inference runs `body` with `ids` its inputs; it returns what it posted. */
function bundle(name: string, body: string): Record<string, string> {
  return {
    'pyproject.toml': manifest(name, 'Generic'),
    'Runner.js': `import { BaseRunner, ndarray, z } from "algobox";
export class Runner extends BaseRunner {
  async preprocess(input) { return input.inputDatasetIds; }
  async inference(ids) { ${body} }
  async postprocess(d) { return d; }
}`,
  };
}

async function run(api: Algobox, files: Record<string, string>, inputs: string[]) {
  const alg = await api.algorithms.install(files);
  return api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: inputs }));
}

function logged(rec: { log: { message: string }[] }): unknown {
  const line = rec.log.find((l) => l.message.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line in ${JSON.stringify(rec.log.map((l) => l.message))}`);
  return JSON.parse(line.message.slice(7));
}

describe('axes for runners', () => {
  it('describeData and openArray give the stored axes, or the defaults for the shape', async () => {
    const api = makeApi();
    const data = ndarray('uint16', [2, 3, 4, 5]);
    data.data.forEach((_, i) => (data.data[i] = i));
    const a = await api.datasets.put({ image: data }, { name: 'cells', axes: { image: czyx } });
    const b = await api.datasets.put({ image: ndarray('uint8', [3, 4, 5]) }, { name: 'rgb', schema: 'Image' });
    const rec = await run(
      api,
      bundle(
        'describe',
        `const d = await this.describeData(ids);
         const arr = await this.openArray(ids[0], "image");
         const gfp = arr.select("c", 1);
         const plane = await gfp.read([[2, 3], null, null]);
         const errs = [];
         for (const f of [() => arr.select("t", 0), () => arr.select("c", 2)]) { try { f(); } catch (e) { errs.push(e.message); } }
         const rgb = await this.openArray(ids[1], "image");
         await this.logMessage("RESULT " + JSON.stringify({ a: d[0].fields.image.axes, b: d[1].fields.image.axes, c: arr.axisIndex("c"), z: arr.axes.axes[arr.axisIndex("z")].scale,
           view: { shape: gfp.shape, names: gfp.axes.axes.map((x) => x.name), channels: gfp.axes.channels.length, plane: plane.shape, first: plane.data[0] }, errs, rgb: [rgb.isRgb, arr.isRgb] }));
         return [];`,
      ),
      [a, b],
    );
    expect(rec.error).toBeNull();
    const out = logged(rec) as { a: ImageAxes; b: ImageAxes; c: number; z: number; view: unknown; errs: string[]; rgb: boolean[] };
    // Channel 1, plane z = 2: element [1, 2, 0, 0] = 1·60 + 2·20.
    expect(out.view).toEqual({ shape: [3, 4, 5], names: ['z', 'y', 'x'], channels: 0, plane: [1, 4, 5], first: 100 });
    expect(out.errs).toEqual([
      'select: this array has no axis "t" (its axes: c, z, y, x).',
      "select: index 2 is out of range for axis 'c' of length 2 (expected 0 to 1).",
    ]);
    expect(out.rgb).toEqual([true, false]);
    expect(out.a).toEqual(czyx);
    expect(out.b.axes.map((x) => x.name)).toEqual(['c', 'y', 'x']);
    expect(out.b.channels.map((c) => c.label)).toEqual(['Red', 'Green', 'Blue']);
    expect(out.c).toBe(0);
    expect(out.z).toBe(2);
  });

  it('outputs inherit the input axes (same shape; less the channels), and setOutputAxes overrides them', async () => {
    const api = makeApi();
    const a = await api.datasets.put({ image: ndarray('uint16', [2, 3, 4, 5]) }, { name: 'cells', axes: { image: czyx } });
    const rec = await run(
      api,
      bundle(
        'inherit',
        `const same = ndarray("float32", [2, 3, 4, 5]);
         const mask = ndarray("uint8", [3, 4, 5]);
         const other = ndarray("uint8", [7, 7]);
         return this.postData([{ image: same, mask, other }], z.object({ image: z.any(), mask: z.any(), other: z.any() }));`,
      ),
      [a],
    );
    expect(rec.error).toBeNull();
    const meta = (await api.datasets.get(rec.outputDatasetIds[0]!, [])).meta;
    expect(meta.keys.image!.axes).toEqual(czyx);
    expect(meta.keys.mask!.axes!.axes.map((x) => [x.name, x.unit, x.scale])).toEqual([
      ['z', 'micrometer', 2],
      ['y', 'micrometer', 0.5],
      ['x', 'micrometer', 0.5],
    ]);
    expect(meta.keys.other!.axes).toBeUndefined();

    const set = await run(
      api,
      bundle(
        'setaxes',
        `const [id] = await this.postData([{ data: ndarray("float32", [4, 5]) }], "Generic");
         await this.setOutputAxes(id, "data", { axes: [
           { name: "y", type: "space", unit: "nanometer", scale: 250, translation: 0 },
           { name: "x", type: "space", unit: "nanometer", scale: 250, translation: 0 }], channels: [] });
         let refused = "";
         try { await this.setOutputAxes(ids[0], "image", ${JSON.stringify(czyx)}); } catch (e) { refused = e.message; }
         let bad = "";
         try { await this.setOutputAxes(id, "data", { axes: [], channels: [] }); } catch (e) { bad = e.message; }
         await this.logMessage("RESULT " + JSON.stringify({ refused, bad }));
         return [id];`,
      ),
      [a],
    );
    expect(set.error).toBeNull();
    const out = logged(set) as { refused: string; bad: string };
    expect(out.refused).toBe(`setOutputAxes: '${a}' is not a dataset this execution posted (postData returns their ids).`);
    expect(out.bad).toMatch(/field 'data': axes name 0 dimension\(s\) \(\) but the array has 2 \(\[4, 5\]\)\./);
    const got = (await api.datasets.get(set.outputDatasetIds[0]!, [])).meta.keys.data!.axes!;
    expect(got.axes.map((x) => [x.name, x.unit, x.scale])).toEqual([
      ['y', 'nanometer', 250],
      ['x', 'nanometer', 250],
    ]);
  });

  it('a 2-D algorithm given a CZYX image says what it is and what to do instead', async () => {
    const api = makeApi();
    const id = await api.datasets.put({ image: ndarray('uint16', [2, 3, 4, 5]) }, { name: 'cells', axes: { image: czyx } });
    const alg = await api.algorithms.install(builtinBundleFolder('registration'), { builtin: true });
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [id, id] }));
    expect(rec.status).toBe('FAILED');
    expect(rec.error!.message).toBe(
      `fetchData: input dataset 'cells' (id ${id}): Image item 0: Image must be 2D (got 4 dimensions), grayscale or RGB (got 2 channels). It is a 4-D image [2, 3, 4, 5] (channels, Z or T: see its axes); this algorithm takes 2-D images one at a time — give it one plane or channel as a dataset of its own, or use an algorithm that reads channels and Z/T (docs/microscopy.md).`,
    );
  });
});
