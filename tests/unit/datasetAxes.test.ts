import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { axisOf, defaultAxes, type ImageAxes } from '../../src/core/imageAxes';
import { ndarray } from '../../src/core/ndarray';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';

const apis: Algobox[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});
function makeApi(): Algobox {
  const api = createAlgobox({ dbName: `axes-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), storageManager: null });
  apis.push(api);
  return api;
}

const cells: ImageAxes = {
  axes: [axisOf('c'), axisOf('y', 'micrometer', 0.325), axisOf('x', 'micrometer', 0.325)],
  channels: [
    { label: 'DAPI', color: '0000FF', window: { start: 10, end: 900 }, active: true },
    { label: 'GFP', color: '00FF00', window: null, active: false },
  ],
};

describe('axes metadata kept with datasets', () => {
  it('is stored with the field, returned by get and list, and replaced by setAxes', async () => {
    const api = makeApi();
    const id = await api.datasets.put({ image: ndarray('uint16', [2, 3, 4]) }, { name: 'cells', axes: { image: cells } });
    const meta = (await api.datasets.get(id, [])).meta;
    expect(meta.keys.image!.axes).toEqual(cells);
    expect((await api.datasets.list()).find((m) => m.id === id)!.keys.image!.axes).toEqual(cells);
    const edited = { ...cells, channels: [{ ...cells.channels[0]!, color: 'FF00FF' }, cells.channels[1]!] };
    const after = await api.datasets.setAxes(id, 'image', edited);
    expect(after.keys.image!.axes!.channels[0]!.color).toBe('FF00FF');
    expect((await api.datasets.get(id, [])).meta.keys.image!.axes!.channels[0]!.color).toBe('FF00FF');
  });

  it('refuses metadata that contradicts the array, naming the dataset and field, and stores nothing', async () => {
    const api = makeApi();
    await expect(api.datasets.put({ image: ndarray('uint16', [3, 3, 4]) }, { name: 'cells', axes: { image: cells } })).rejects.toThrow(
      "Dataset 'cells', field 'image': the 'c' axis has 3 channel(s) but 2 channel description(s) were given.",
    );
    await expect(api.datasets.put({ image: ndarray('uint16', [2, 3, 4]) }, { name: 'cells', axes: { mask: cells } })).rejects.toThrow(
      "Dataset 'cells', field 'mask': axes were given for a field the dataset does not have (it has image).",
    );
    expect(await api.datasets.list()).toEqual([]);
    const id = await api.datasets.put({ image: ndarray('uint16', [2, 3, 4]) }, { name: 'cells' });
    await expect(api.datasets.setAxes(id, 'image', defaultAxes([3, 4]))).rejects.toThrow(
      /field 'image': axes name 2 dimension\(s\) \(y, x\) but the array has 3/,
    );
    expect((await api.datasets.get(id, [])).meta.keys.image!.axes).toBeUndefined();
  });

  it('is kept by a dataset written block by block', async () => {
    const api = makeApi();
    const vol = defaultAxes([2, 3, 4]);
    vol.axes[0]!.scale = 2;
    vol.axes[0]!.unit = 'micrometer';
    const w = await api.datasets.createWriter({ key: 'volume', dtype: 'uint8', shape: [2, 3, 4], schema: 'Volume', axes: vol, name: 'v' });
    await w.write([0, 0, 0], ndarray('uint8', [2, 3, 4]));
    const id = await w.commit();
    expect((await api.datasets.get(id, [])).meta.keys.volume!.axes).toEqual(vol);
  });
});
