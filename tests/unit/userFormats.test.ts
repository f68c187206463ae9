// User data formats (issue 12 §2): declared through `algobox.blocks.formats` (object fields, nested
// formats, fixed and variable array dimensions, `#extends`), checked with messages naming the format,
// field, value and expectation, copied into the blocks that use them (which keep running whatever
// becomes of the library), resolved when a toolchain is checked and run (block workers get them; strict
// writes), and the store's upgrade from version 3 (the dataFormats store).
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { checkUserFormats, referencedFormats, userFormatClosure } from '../../src/core/beat';
import { openStore } from '../../src/store';
import { inProcessBlockWorkerFactory, inProcessWorkerFactory } from './helpers/inProcessWorkers';

const FORMATS = {
  'user/point/1': { '#description': 'A 2-D point', x: 'float64', y: 'float64' },
  'user/polygon/1': { points: [0, 'user/point/1'], label: 'string', transform: [2, 3, 'float32'] },
  'user/labelled_point/1': { '#extends': 'user/point/1', label: 'string', y: 'int32' },
};

describe('checkUserFormats', () => {
  it('accepts nested formats, fixed/variable arrays and #extends', () => {
    expect(checkUserFormats(FORMATS)).toEqual([]);
    expect([...referencedFormats(FORMATS['user/polygon/1'])]).toEqual(['user/point/1']);
    expect(Object.keys(userFormatClosure(['user/labelled_point/1', 'system/int32/1'], FORMATS))).toEqual(['user/labelled_point/1', 'user/point/1']);
  });

  it('names the format, the field, the value and what was expected', () => {
    expect(checkUserFormats({ 'user/a/1': { x: 'int33' } })).toEqual(["invalid data format 'user/a/1': field 'x': unknown type 'int33'"]);
    expect(checkUserFormats({ 'user/a/1': { m: [-1, 'float32'] } })).toEqual([
      "invalid data format 'user/a/1': field 'm': array dimensions must be non-negative integers (0 = variable), got [-1]",
    ]);
    expect(checkUserFormats({ 'user/a/1': { p: 'user/nope/1' } })).toEqual(["invalid data format 'user/a/1': field 'p': unknown data format 'user/nope/1'"]);
    expect(checkUserFormats({ 'user/a/1': { '#extends': 'user/nope/1' } })).toEqual([
      "invalid data format 'user/a/1': '#extends': unknown data format 'user/nope/1'",
    ]);
    expect(checkUserFormats({ 'user/a/1': { b: 'user/b/1' }, 'user/b/1': { a: 'user/a/1' } })[0]).toMatch(
      /circular data format reference: user\/a\/1 -> user\/b\/1 -> user\/a\/1/,
    );
    expect(checkUserFormats({ point: { x: 'float64' } })).toEqual(["data format 'point': invalid name (expected <user>/<name>/<version>, e.g. user/point/1)"]);
    expect(checkUserFormats({ 'system/integer/1': { value: 'int64' } })[0]).toMatch(
      /^data format 'system\/integer\/1': the names system\/… and plot\/… belong to the built-in catalogue/,
    );
    expect(checkUserFormats({ 'user/a/1': 7 })).toEqual(["invalid data format 'user/a/1': a declaration must be a JSON object, got number 7"]);
    expect(checkUserFormats([])).toEqual(['expected an object of data formats: { "<user>/<name>/<version>": { "field": "type", … }, … }']);
    // A format may refer to one already installed.
    expect(checkUserFormats({ 'user/segment/1': { a: 'user/point/1', b: 'user/point/1' } }, { 'user/point/1': FORMATS['user/point/1'] })).toEqual([]);
  });
});

const apis: Algobox[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

function makeApi(opts: { dbName?: string; sandboxed?: boolean } = {}): Algobox {
  const api = createAlgobox({
    dbName: opts.dbName ?? `user-formats-${crypto.randomUUID()}`,
    workerFactory: inProcessWorkerFactory(),
    blockWorkerFactory: inProcessBlockWorkerFactory(),
    ...(opts.sandboxed ? { sandboxBlockWorkerFactory: inProcessBlockWorkerFactory() } : {}),
    blockPoolSize: 2,
  });
  apis.push(api);
  return api;
}

/** Centroid of each polygon, written as a labelled point (its label, y rounded). */
const CENTROID_DECL = {
  language: 'javascript',
  api_version: 2,
  groups: [{ inputs: { polygon: { type: 'user/polygon/1' } }, outputs: { centroid: { type: 'user/labelled_point/1' } } }],
};
const CENTROID = `export class Algorithm {
  process(inputs, dataLoaders, outputs) {
    const p = inputs.get('polygon').data;
    const n = p.points.length;
    const x = p.points.reduce((s, q) => s + q.x, 0) / n;
    const y = p.points.reduce((s, q) => s + q.y, 0) / n;
    outputs.get('centroid').write({ x, y: Math.round(y), label: p.label + ':' + p.transform.shape.join('x') });
    return true;
  }
}`;
const polygons = [
  {
    points: [
      { x: 0, y: 0 },
      { x: 2, y: 0 },
      { x: 2, y: 2 },
      { x: 0, y: 2 },
    ],
    label: 'square',
    transform: [
      [1, 0, 0],
      [0, 1, 0],
    ],
  },
  {
    points: [
      { x: 0, y: 0 },
      { x: 3, y: 0 },
      { x: 0, y: 3 },
    ],
    label: 'triangle',
    transform: [
      [1, 0, 0],
      [0, 1, 0],
    ],
  },
];
const toolchain = (algorithm: string) => ({
  sources: [{ name: 'polygon', format: 'user/polygon/1', values: polygons }],
  blocks: [{ name: 'C', algorithm }],
});

async function centroids(api: Algobox, runId: string): Promise<unknown[]> {
  const rec = await api.toolchains.wait(runId);
  expect(rec.status).toBe('DONE');
  return Promise.all(
    rec.blocks.C!.outputs.centroid!.datasetIds.map(async (id) => {
      const f = (await api.datasets.get(id)).fields as Record<string, unknown>;
      const num = (k: string) => Array.from((f[k] as { data: ArrayLike<number> }).data)[0];
      return { x: num('x'), y: num('y'), label: f.label };
    }),
  );
}

describe('algobox.blocks.formats', () => {
  it('install, list (compiled fields, inherited ones, the blocks carrying them), remove', async () => {
    const api = makeApi();
    const installed = await api.blocks.formats.install(FORMATS);
    expect(installed.map((f) => f.name)).toEqual(['user/labelled_point/1', 'user/point/1', 'user/polygon/1']);
    const list = await api.blocks.formats.list();
    expect(list.map((f) => [f.name, f.fields, f.extends, f.description])).toEqual([
      [
        'user/labelled_point/1',
        [
          { name: 'x', type: 'float64' },
          { name: 'label', type: 'string' },
          { name: 'y', type: 'int32' },
        ],
        'user/point/1',
        null,
      ],
      [
        'user/point/1',
        [
          { name: 'x', type: 'float64' },
          { name: 'y', type: 'float64' },
        ],
        null,
        'A 2-D point',
      ],
      [
        'user/polygon/1',
        [
          { name: 'points', type: '[0, user/point/1]' },
          { name: 'label', type: 'string' },
          { name: 'transform', type: '[2, 3, float32]' },
        ],
        null,
        null,
      ],
    ]);
    await api.blocks.install(CENTROID_DECL, CENTROID, { name: 'user/centroid/1' });
    expect((await api.blocks.formats.list()).map((f) => f.usedBy)).toEqual([['user/centroid/1'], ['user/centroid/1'], ['user/centroid/1']]);
    await api.blocks.formats.remove('user/point/1');
    expect((await api.blocks.formats.list()).map((f) => [f.name, f.problem])).toEqual([
      ['user/labelled_point/1', "invalid data format 'user/labelled_point/1': '#extends': unknown data format 'user/point/1'"],
      ['user/polygon/1', "invalid data format 'user/polygon/1': field 'points[]': unknown data format 'user/point/1'"],
    ]);
    await expect(api.blocks.formats.remove('user/point/1')).rejects.toThrow("Data format 'user/point/1' not found.");
    // All or none.
    await expect(api.blocks.formats.install({ 'user/ok/1': { v: 'int8' }, 'user/bad/1': { v: [2, 'int99'] } })).rejects.toThrow(
      "Invalid data formats: invalid data format 'user/bad/1': field 'v[]': unknown type 'int99'",
    );
    expect((await api.blocks.formats.list()).map((f) => f.name)).not.toContain('user/ok/1');
  });

  it('a block referring to an unknown format is refused, naming it', async () => {
    const api = makeApi();
    await expect(api.blocks.install(CENTROID_DECL, CENTROID)).rejects.toThrow(
      "Invalid block declaration: input 'polygon': unknown data format 'user/polygon/1'; output 'centroid': unknown data format 'user/labelled_point/1' (install the data format first: algobox.blocks.formats.install, or give it with the block: { formats })",
    );
  });

  it.each([
    ['built-in pool', false],
    ['sandbox pool', true],
  ])('a toolchain over user formats runs (%s): nested formats, fixed arrays, #extends', async (_l, sandboxed) => {
    const api = makeApi({ sandboxed });
    await api.blocks.install(CENTROID_DECL, CENTROID, { name: 'user/centroid/1', formats: FORMATS });
    const check = await api.toolchains.check(toolchain('user/centroid/1'));
    expect(check.blocks[0]!.inputs).toEqual([{ name: 'polygon', format: 'user/polygon/1', from: 'polygon', inferred: true }]);
    expect(await centroids(api, await api.toolchains.run(toolchain('user/centroid/1')))).toEqual([
      { x: 1, y: 1, label: 'square:2x3' },
      { x: 1, y: 1, label: 'triangle:2x3' },
    ]);
  });

  it('a block keeps its formats when they leave the library', async () => {
    const api = makeApi();
    await api.blocks.install(CENTROID_DECL, CENTROID, { name: 'user/centroid/1', formats: FORMATS });
    for (const name of Object.keys(FORMATS)) await api.blocks.formats.remove(name);
    expect(await api.blocks.formats.list()).toEqual([]);
    expect(await centroids(api, await api.toolchains.run(toolchain('user/centroid/1')))).toHaveLength(2);
  });

  it('strict writes of user formats: the message names the field, the value and the expected type', async () => {
    const api = makeApi();
    const wrong = CENTROID.replace('y: Math.round(y)', 'y: y + 0.5');
    await api.blocks.install(CENTROID_DECL, wrong, { name: 'user/wrong/1', formats: FORMATS });
    const rec = await api.toolchains.wait(await api.toolchains.run(toolchain('user/wrong/1')));
    expect(rec.blocks.C!.error!.message).toBe("block 'C' failed (process): field 'y': expected int32, got 1.5");
    // A source value that is not of its user format.
    await expect(
      api.toolchains.run({
        ...toolchain('user/wrong/1'),
        sources: [{ name: 'polygon', format: 'user/polygon/1', values: [{ ...polygons[0], transform: [[1, 0, 0]] }] }],
      }),
    ).rejects.toThrow("source 'polygon': values[0] is not user/polygon/1: field 'transform': dimension 0 must be 2, got 1");
  });

  it('two blocks carrying one format declared differently are refused, naming both; an unknown source format is named', async () => {
    const api = makeApi();
    await api.blocks.install(CENTROID_DECL, CENTROID, { name: 'user/centroid/1', formats: FORMATS });
    await api.blocks.formats.install({ 'user/point/1': { x: 'float32', y: 'float32' } });
    await api.blocks.install(CENTROID_DECL, CENTROID, { name: 'user/centroid/2' });
    const both = {
      ...toolchain('user/centroid/1'),
      blocks: [
        { name: 'C', algorithm: 'user/centroid/1' },
        { name: 'D', algorithm: 'user/centroid/2' },
      ],
    };
    await expect(api.toolchains.check(both)).rejects.toThrow(
      "invalid toolchain: data format 'user/point/1' is declared differently by block 'user/centroid/1' and block 'user/centroid/2'",
    );
    await expect(api.toolchains.check({ ...toolchain('user/centroid/1'), sources: [{ name: 'p', format: 'user/nothing/1', values: [{}] }] })).rejects.toThrow(
      "sources[0].format: unknown data format 'user/nothing/1' (install it: algobox.blocks.formats.install)",
    );
  });
});

describe('store: upgrade from version 3', () => {
  it('keeps the blocks and runs of version 3 and adds the dataFormats store', async () => {
    const dbName = `v3-${crypto.randomUUID()}`;
    const v3 = await openDB(dbName, 3, {
      upgrade(db) {
        for (const [n, key] of [
          ['blobs', 'key'],
          ['datasets', 'id'],
          ['algorithms', 'id'],
          ['executions', 'id'],
          ['sessions', 'token'],
          ['stacks', 'id'],
          ['settings', 'key'],
          ['blocks', 'id'],
          ['toolchainRuns', 'id'],
        ] as const) {
          const s = db.createObjectStore(n, { keyPath: key });
          if (n === 'blobs') s.createIndex('byteLength', 'byteLength');
          if (n === 'datasets' || n === 'stacks') s.createIndex('created', 'created');
          if (n === 'stacks') s.createIndex('datasetIds', 'datasetIds', { multiEntry: true });
          if (n === 'algorithms') s.createIndex('nameLower', 'nameLower');
          if (n === 'executions') {
            s.createIndex('status', 'status');
            s.createIndex('timeCreated', 'timeCreated');
          }
          if (n === 'sessions') s.createIndex('timeCreated', 'timeCreated');
        }
      },
    });
    await v3.put('blocks', {
      id: 'user/old/1',
      name: 'user/old/1',
      declaration: CENTROID_DECL,
      moduleSource: CENTROID,
      origin: 'user',
      installed: '2026-01-01T00:00:00.000Z',
    });
    v3.close();
    const store = await openStore(dbName);
    expect((await store.listBlocks()).map((b) => [b.id, b.dataFormats])).toEqual([['user/old/1', undefined]]);
    expect(await store.listDataFormats()).toEqual([]);
    await store.putDataFormats([{ name: 'user/point/1', declaration: FORMATS['user/point/1'], installed: 'now' }]);
    expect((await store.listDataFormats()).map((f) => f.name)).toEqual(['user/point/1']);
    // A v3 block whose formats were never installed still lists, and names what it lacks when run.
    const api = makeApi({ dbName });
    expect((await api.blocks.list()).map((b) => b.id)).toEqual(['user/old/1']);
    await expect(api.toolchains.check(toolchain('user/old/1'))).rejects.toThrow(/unknown data format 'user\/polygon\/1'/);
  });
});
