// Other entry points tried as a new user would: each bad input gets an error naming the dataset or
// file, the field, the value and the expectation.
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { decodeImageBytes } from '../../src/core/imageCodecs';
import { ndarray } from '../../src/core/ndarray';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { scaleBundle } from './helpers/bundles';

const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});
function makeApi() {
  const decodeImageFile = async (f: Blob & { name?: string }) => decodeImageBytes(new Uint8Array(await f.arrayBuffer()), f.name ?? 'file');
  const api = createAlgobox({ dbName: `bad-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), storageManager: null, decodeImageFile });
  apis.push(api);
  return api;
}

describe('bad input at the other entry points', () => {
  it('a run over a dataset without the field its runner reads names the dataset and the missing field', async () => {
    const api = makeApi();
    const alg = await api.algorithms.install(scaleBundle);
    const d = await api.datasets.put({ foo: ndarray('uint8', [2, 2]) }, { name: 'foo ds' });
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [d] }));
    expect(rec.error?.message).toBe(
      `fetchData: input dataset 'foo ds' (id ${d}) has no field 'image': Image item 0: Field 'image': expected an NDArray {dtype, shape, data}, got null.`,
    );
  });

  it('datasets.put with a schema names the dataset', async () => {
    const api = makeApi();
    await expect(api.datasets.put({ image: ndarray('uint8', [2, 2, 2, 2]) }, { schema: 'Image', name: 'cube' })).rejects.toThrow(
      "datasets.put 'cube': Image: Image must be 2D (got 4 dimensions), grayscale or RGB (got 2 channels).",
    );
    expect(await api.datasets.list()).toEqual([]);
  });

  it('datasets.putMany stores all or nothing (a bad item names its index and dataset); getMany reads in order', async () => {
    const api = makeApi();
    const img = (v: number) => ndarray('float32', [200, 200], new Float32Array(200 * 200).fill(v));
    await expect(
      api.datasets.putMany([
        { fields: { image: img(1) }, meta: { name: 'one', schema: 'Image' } },
        { fields: { image: ndarray('uint8', [2, 2, 2, 2]) }, meta: { name: 'cube', schema: 'Image' } },
      ]),
    ).rejects.toThrow("datasets.putMany: item 1 'cube': Image: Image must be 2D (got 4 dimensions), grayscale or RGB (got 2 channels).");
    expect(await api.datasets.list()).toEqual([]);
    const ids = await api.datasets.putMany([1, 2, 3].map((v) => ({ fields: { image: img(v) }, meta: { name: `img ${v}`, schema: 'Image' as const } })));
    expect((await api.datasets.list()).map((m) => m.name)).toEqual(['img 1', 'img 2', 'img 3']);
    const recs = await api.datasets.getMany([ids[2]!, ids[0]!], ['image']);
    expect(recs.map((r) => [r.meta.name, (r.fields.image as { data: Float32Array }).data[123]])).toEqual([
      ['img 3', 3],
      ['img 1', 1],
    ]);
    await expect(api.datasets.getMany([ids[0]!, 'no-such-id'])).rejects.toThrow("Dataset not found: 'no-such-id'.");
    // Datasets just written are read from the chunk cache: stats show it.
    expect((await api.stats()).chunks.cache.hits).toBeGreaterThanOrEqual(2);
  });

  it('a bundle URL with another scheme is refused with the scheme and what is expected', async () => {
    const api = makeApi();
    await expect(api.algorithms.install('ftp://example.org/bundle.zip')).rejects.toThrow(
      "Bundle URL 'ftp://example.org/bundle.zip': the scheme ftp: is not supported; expected an http: or https: URL of a .zip or a folder.",
    );
  });

  it('an empty dropped file is named as empty, and the rest of the drop imports', async () => {
    const api = makeApi();
    const { encodePng } = await import('../../src/core/imageCodecs');
    const r = await api.datasets.importFilesDetailed([
      { file: new Blob([]), path: 'scan/empty.png' },
      { file: new Blob([encodePng(ndarray('uint8', [2, 2]))]), path: 'scan/ok.png' },
    ]);
    expect(r.errors).toEqual([{ file: 'scan/empty.png', message: 'empty.png: the file is empty (0 bytes).' }]);
    expect(r.ids).toHaveLength(1);
  });
});

describe('BEAT entry points', () => {
  const decl = {
    language: 'javascript',
    api_version: 2,
    type: 'sequential',
    groups: [{ inputs: { in: { type: 'system/integer/1' } }, outputs: { out: { type: 'system/integer/1' } } }],
  };

  it('a block module that is not JavaScript, or exports no algorithm class, is refused at install', async () => {
    const api = makeApi();
    await expect(api.blocks.install(decl, 'export class Algorithm { f() { return `unterminated; } }', { name: 'me/bad/1' })).rejects.toThrow(
      /^blocks\.install: block 'me\/bad\/1': its module is not a valid ES module \(/,
    );
    await expect(api.blocks.install(decl, 'this is not js', { name: 'me/bad/1' })).rejects.toThrow(
      "blocks.install: block 'me/bad/1': its module must export the algorithm class as `export class Algorithm` or a default export; it exports nothing.",
    );
    await expect(api.blocks.install(decl, 'export const x = 1;', { name: 'me/bad/1' })).rejects.toThrow(
      "blocks.install: block 'me/bad/1': its module must export the algorithm class as `export class Algorithm` or a default export; it exports 'x'.",
    );
    expect(await api.blocks.list()).toEqual([]);
    const ok = await api.blocks.install(decl, 'export class Algorithm { process() { return true; } }', { name: 'me/good/1' });
    expect(ok.id).toBe('me/good/1');
  });

  it('declaration and toolchain JSON errors name the field, the value and what is expected', async () => {
    const api = makeApi();
    const bad = { ...decl, groups: [{ inputs: { in: { type: 'nope/1' } }, outputs: { out: { type: 'system/integer/1' } } }] };
    await expect(api.blocks.install(bad, 'export class Algorithm {}')).rejects.toThrow(
      'Invalid block declaration: groups[0].inputs.in.type: expected a data format name <user>/<name>/<version>, got string "nope/1"',
    );
    await expect(api.toolchains.check({ sources: [], blocks: [] })).rejects.toThrow(
      'invalid toolchain: sources: Too small: expected array to have >=1 items, got array(0) []',
    );
  });
});
