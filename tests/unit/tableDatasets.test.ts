import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { ndarray } from '../../src/core/ndarray';
import { tableFromColumns, tableFromItem, tableLinks, tableToItem } from '../../src/core/table';
import { tableToCsv } from '../../src/core/tableCsv';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';

const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});

function makeApi(): Algobox {
  const api = createAlgobox({ dbName: `tables-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), storageManager: null });
  apis.push(api);
  return api;
}

describe('Table datasets through the API', () => {
  it('put → get → tableFromItem round trip, with links to the labels and image', async () => {
    const api = makeApi();
    const labels = await api.datasets.put({ mask: ndarray('int32', [2, 3], [0, 1, 1, 0, 2, 2]) }, { schema: 'Segmentation', name: 'labels' });
    const image = await api.datasets.put({ image: ndarray('uint8', [2, 3], [0, 10, 20, 30, 40, 50]) }, { schema: 'Image', name: 'cells' });
    const t = tableFromColumns(
      { label: Int32Array.from([1, 2]), area: Float64Array.from([2, 2]), intensity_mean: Float64Array.from([15, 45]) },
      { area: 'px' },
    );
    const id = await api.datasets.put(tableToItem(t), { schema: 'Table', name: 'cells measurements', extra: { labels, labelsKey: 'mask', image } });
    const rec = await api.datasets.get(id);
    expect(rec.meta.schema).toBe('Table');
    expect(rec.meta.keys.columns!.kind).toBe('string');
    expect(rec.meta.keys.values!.shape).toEqual([3, 2]);
    expect(rec.meta.thumbnail).toBeNull();
    const back = tableFromItem(rec.fields);
    expect(back.columns).toEqual(t.columns);
    expect(tableToCsv(back)).toBe('label,area,intensity_mean\r\n1,2,15\r\n2,2,45\r\n');
    const ids = new Set((await api.datasets.list()).map((m) => m.id));
    expect(tableLinks(rec.meta.extra, (x) => ids.has(x))).toEqual({ labels, labelsKey: 'mask', image });
    await api.datasets.delete(image);
    const left = new Set((await api.datasets.list()).map((m) => m.id));
    expect(tableLinks(rec.meta.extra, (x) => left.has(x))).toEqual({ labels, labelsKey: 'mask' });
  });

  it('a table of 100k rows is stored and read back whole', async () => {
    const api = makeApi();
    const n = 100_000;
    const t = tableFromColumns({ label: Int32Array.from({ length: n }, (_, i) => i + 1), area: Float64Array.from({ length: n }, (_, i) => (i * 7) % 1000) });
    const id = await api.datasets.put(tableToItem(t), { schema: 'Table', name: 'big' });
    const back = tableFromItem((await api.datasets.get(id)).fields);
    expect(back.rows).toBe(n);
    expect(back.values[1]![n - 1]).toBe(((n - 1) * 7) % 1000);
  });

  it('a bad table is refused with the dataset name, field, column and value', async () => {
    const api = makeApi();
    const columns = JSON.stringify([{ name: 'label', type: 'int' }]);
    await expect(api.datasets.put({ columns, values: ndarray('float64', [1, 2], [1, 1.5]) }, { schema: 'Table', name: 'bad' })).rejects.toThrow(
      "datasets.put 'bad': Table: Field 'values': column 'label' is int, but row 1 holds 1.5; expected an integer.",
    );
  });
});
