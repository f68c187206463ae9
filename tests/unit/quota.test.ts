// Before a large import or run, the storage estimate is checked: an import larger than the free space
// is refused with the numbers before anything is written; a run may post at most what was free when it
// started, and fails with the numbers beyond (its posts removed) instead of a quota error halfway.
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { decodeImageBytes, encodePng } from '../../src/core/imageCodecs';
import { ndarray } from '../../src/core/ndarray';
import { freeBytes, quotaProblem } from '../../src/core/quota';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { manifest } from './helpers/bundles';

const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});

function makeApi(usage: number, quota: number): Algobox {
  const decodeImageFile = async (f: Blob & { name?: string }) => decodeImageBytes(new Uint8Array(await f.arrayBuffer()), f.name ?? 'file');
  const api = createAlgobox({
    dbName: `quota-${crypto.randomUUID()}`,
    workerFactory: inProcessWorkerFactory(),
    decodeImageFile,
    storageManager: { estimate: async () => ({ usage, quota }), persist: async () => false },
  });
  apis.push(api);
  return api;
}

describe('quota', () => {
  it('freeBytes and quotaProblem name the numbers; no estimate, no refusal', () => {
    expect(freeBytes({ usage: 300, quota: 1000 })).toBe(700);
    expect(freeBytes(null)).toBeNull();
    expect(freeBytes({ usage: 5 })).toBeNull();
    expect(quotaProblem('x', 10, null)).toBeNull();
    expect(quotaProblem('x', 700, { usage: 300, quota: 1000 })).toBeNull();
    expect(quotaProblem('Importing 2 files', 2048, { usage: 3 * 1024 ** 3, quota: 3 * 1024 ** 3 + 1024 })).toBe(
      'Importing 2 files needs about 2.0 KiB (2048 bytes) of storage, but only 1.0 KiB (1024 bytes) of storage is free (3.0 GiB used of 3.0 GiB). Delete datasets or runs you no longer need (or free disk space) and try again; nothing was written.',
    );
  });

  it('an import larger than the free space is refused before anything is written', async () => {
    // Noise does not compress: each file is well over a KiB.
    let x = 2463534242;
    const noise = Array.from({ length: 64 * 64 }, () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) & 255));
    const png = encodePng(ndarray('uint8', [64, 64], noise));
    expect(png.byteLength).toBeGreaterThan(1024);
    const api = makeApi(1_000_000, 1_000_000 + png.byteLength); // room for one file, not two
    const files = [
      { file: new Blob([png]), path: 'scan/a.png' },
      { file: new Blob([png]), path: 'scan/b.png' },
    ];
    await expect(api.datasets.importFilesDetailed(files)).rejects.toThrow(
      new RegExp(
        `^Importing 2 files needs about .* \\(${2 * png.byteLength} bytes\\) of storage, but only .* \\(${png.byteLength} bytes\\) of storage is free`,
      ),
    );
    expect(await api.datasets.list()).toEqual([]);
    const one = await api.datasets.importFilesDetailed(files.slice(0, 1));
    expect(one.ids).toHaveLength(1);
  });

  it('a run posting more than the storage had free fails with the numbers, and its posts are removed', async () => {
    const api = makeApi(0, 100); // 100 bytes free
    const alg = await api.algorithms.install({
      'pyproject.toml': manifest('poster', 'Image2Image'),
      'Runner.js': `import { BaseRunner, ndarray } from "algobox";
        export class Runner extends BaseRunner {
          preprocess() { return null; }
          inference() { return null; }
          async postprocess() {
            await this.postData([{ image: ndarray("uint8", [8, 8]) }], "Image");
            await this.postData([{ image: ndarray("uint8", [8, 8]) }], "Image");
            return [];
          }
        }`,
    });
    const input = await api.datasets.put({ image: ndarray('uint8', [2, 2]) });
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [input] }));
    expect(rec.status).toBe('FAILED');
    expect(rec.error?.message).toBe(
      "postData: item 0 field 'image' (64 bytes) would bring this execution's posted bytes to 128, but only 100 bytes of storage is free (0 bytes used of 100 bytes) when the run started. Free storage (delete datasets or runs you no longer need) and run it again.",
    );
    expect(rec.log.map((l) => l.message)).toContain('Removed 1 dataset(s) this execution had posted.');
    expect((await api.datasets.list()).map((m) => m.id)).toEqual([input]);
  });
});
