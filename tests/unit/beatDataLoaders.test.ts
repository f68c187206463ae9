// Data loaders (reference §9), ported from upstream beat.backend.python test/test_data_loaders.py:
// the stored value of each unit is start_value + its start index.
import { describe, expect, it } from 'vitest';
import { DataLoader, DataLoaderList, mixDataIndices, type DataStream, type LoaderEntry } from '../../src/core/beat';

function write(indices: [number, number][], startValue: number): DataStream<{ value: number }> {
  return indices.map(([s, e]) => ({ data: { value: startValue + s }, start: s, end: e }));
}

/** An entry as [start, end, {input: value}] for compact assertions ([null, null, null] out of range). */
function entry(e: LoaderEntry): unknown {
  const [data, start, end] = e;
  if (data === null) return [null, null, null];
  return [start, end, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, (v as { value: number }).value]))];
}

describe('mixDataIndices', () => {
  it('mixes at the finest granularity (upstream docstring examples)', () => {
    expect(
      mixDataIndices([
        [
          [0, 2],
          [3, 4],
        ],
        [[0, 4]],
      ]),
    ).toEqual([
      [0, 2],
      [3, 4],
    ]);
    expect(
      mixDataIndices([
        [
          [0, 2],
          [3, 4],
        ],
        [
          [0, 1],
          [2, 3],
          [4, 4],
        ],
      ]),
    ).toEqual([
      [0, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    expect(mixDataIndices([[[0, 4]], []])).toEqual([]);
  });
});

describe('DataLoader', () => {
  it('creation and empty loader', () => {
    const loader = new DataLoader('channel1');
    expect([loader.channel, loader.count(), loader.dataIndexStart, loader.dataIndexEnd]).toEqual(['channel1', 0, -1, -1]);
    expect(loader.get(0)).toEqual([null, null, null]);
    expect(loader.view('unknown', 0)).toBeNull();
  });

  it('one input', () => {
    const loader = new DataLoader('channel1');
    loader.add(
      'input1',
      write(
        [
          [0, 0],
          [1, 1],
          [2, 2],
        ],
        1000,
      ),
    );
    expect([loader.count(), loader.count('input1'), loader.count('unknown')]).toEqual([3, 3, 0]);
    expect([loader.dataIndexStart, loader.dataIndexEnd]).toEqual([0, 2]);
    expect([-1, 0, 1, 2, 3].map((i) => entry(loader.get(i)))).toEqual([
      [null, null, null],
      [0, 0, { input1: 1000 }],
      [1, 1, { input1: 1001 }],
      [2, 2, { input1: 1002 }],
      [null, null, null],
    ]);
    expect(loader.view('input1', -1)).toBeNull();
    expect(loader.view('input1', 3)).toBeNull();
    for (let i = 0; i < 3; i++) {
      const view = loader.view('input1', i)!;
      expect([view.count(), view.count('input1'), view.dataIndexStart, view.dataIndexEnd]).toEqual([1, 1, i, i]);
      expect([entry(view.get(-1)), entry(view.get(0)), entry(view.get(1))]).toEqual([
        [null, null, null],
        [i, i, { input1: 1000 + i }],
        [null, null, null],
      ]);
    }
  });

  it('two synchronized inputs', () => {
    const loader = new DataLoader('channel1');
    loader.add(
      'input1',
      write(
        [
          [0, 0],
          [1, 1],
          [2, 2],
          [3, 3],
        ],
        1000,
      ),
    );
    loader.add(
      'input2',
      write(
        [
          [0, 1],
          [2, 3],
        ],
        2000,
      ),
    );
    expect([loader.count(), loader.count('input1'), loader.count('input2'), loader.dataIndexStart, loader.dataIndexEnd]).toEqual([4, 4, 2, 0, 3]);
    expect([0, 1, 2, 3, 4].map((i) => entry(loader.get(i)))).toEqual([
      [0, 0, { input1: 1000, input2: 2000 }],
      [1, 1, { input1: 1001, input2: 2000 }],
      [2, 2, { input1: 1002, input2: 2002 }],
      [3, 3, { input1: 1003, input2: 2002 }],
      [null, null, null],
    ]);
    for (let i = 0; i < 4; i++) {
      const view = loader.view('input1', i)!;
      expect([view.count(), view.count('input1'), view.count('input2'), view.dataIndexStart, view.dataIndexEnd]).toEqual([1, 1, 1, i, i]);
      expect(entry(view.get(0))).toEqual([i, i, { input1: 1000 + i, input2: 2000 + 2 * Math.floor(i / 2) }]);
      expect(entry(view.get(1))).toEqual([null, null, null]);
    }
    expect(loader.view('input1', 4)).toBeNull();
    const v0 = loader.view('input2', 0)!;
    expect([v0.count(), v0.count('input1'), v0.count('input2'), v0.count('unknown'), v0.dataIndexStart, v0.dataIndexEnd]).toEqual([2, 2, 1, null, 0, 1]);
    expect([0, 1, 2].map((j) => entry(v0.get(j)))).toEqual([
      [0, 0, { input1: 1000, input2: 2000 }],
      [1, 1, { input1: 1001, input2: 2000 }],
      [null, null, null],
    ]);
    const v1 = loader.view('input2', 1)!;
    expect([v1.count(), v1.count('input1'), v1.count('input2'), v1.dataIndexStart, v1.dataIndexEnd]).toEqual([2, 2, 1, 2, 3]);
    expect([0, 1].map((j) => entry(v1.get(j)))).toEqual([
      [2, 2, { input1: 1002, input2: 2002 }],
      [3, 3, { input1: 1003, input2: 2002 }],
    ]);
    expect(loader.view('input2', 2)).toBeNull();
  });

  it('two desynchronized inputs', () => {
    const loader = new DataLoader('channel1');
    loader.add(
      'input1',
      write(
        [
          [0, 2],
          [3, 3],
        ],
        1000,
      ),
    );
    loader.add(
      'input2',
      write(
        [
          [0, 1],
          [2, 3],
        ],
        2000,
      ),
    );
    expect([loader.count(), loader.count('input1'), loader.count('input2'), loader.dataIndexStart, loader.dataIndexEnd]).toEqual([3, 2, 2, 0, 3]);
    expect([-1, 0, 1, 2, 3].map((i) => entry(loader.get(i)))).toEqual([
      [null, null, null],
      [0, 1, { input1: 1000, input2: 2000 }],
      [2, 2, { input1: 1000, input2: 2002 }],
      [3, 3, { input1: 1003, input2: 2002 }],
      [null, null, null],
    ]);
    const a0 = loader.view('input1', 0)!;
    expect([a0.count(), a0.count('input1'), a0.count('input2'), a0.dataIndexStart, a0.dataIndexEnd]).toEqual([2, 1, 2, 0, 2]);
    expect([-1, 0, 1, 2].map((j) => entry(a0.get(j)))).toEqual([
      [null, null, null],
      [0, 1, { input1: 1000, input2: 2000 }],
      [2, 2, { input1: 1000, input2: 2002 }],
      [null, null, null],
    ]);
    const a1 = loader.view('input1', 1)!;
    expect([a1.count(), a1.count('input1'), a1.count('input2'), a1.dataIndexStart, a1.dataIndexEnd]).toEqual([1, 1, 1, 3, 3]);
    expect(entry(a1.get(0))).toEqual([3, 3, { input1: 1003, input2: 2002 }]);
    expect(loader.view('input1', 2)).toBeNull();
    const b0 = loader.view('input2', 0)!;
    expect([b0.count(), b0.count('input1'), b0.count('input2'), b0.dataIndexStart, b0.dataIndexEnd]).toEqual([1, 1, 1, 0, 1]);
    expect([entry(b0.get(0)), entry(b0.get(1))]).toEqual([
      [0, 1, { input1: 1000, input2: 2000 }],
      [null, null, null],
    ]);
    const b1 = loader.view('input2', 1)!;
    expect([b1.count(), b1.count('input1'), b1.count('input2'), b1.dataIndexStart, b1.dataIndexEnd]).toEqual([2, 2, 1, 2, 3]);
    expect([0, 1, 2].map((j) => entry(b1.get(j)))).toEqual([
      [2, 2, { input1: 1000, input2: 2002 }],
      [3, 3, { input1: 1003, input2: 2002 }],
      [null, null, null],
    ]);
    expect(loader.view('input2', 2)).toBeNull();
  });
});

describe('DataLoaderList', () => {
  it('empty list', () => {
    const list = new DataLoaderList();
    expect([list.mainLoader, list.length, list.get('unknown'), list.get(10), list.loaderOf('unknown')]).toEqual([null, 0, null, null, null]);
  });

  it('two loaders, three inputs: main loader, lookup, loaderOf, secondaries', () => {
    const l1 = new DataLoader('channel1');
    l1.add(
      'input1',
      write(
        [
          [0, 0],
          [1, 1],
          [2, 2],
        ],
        1000,
      ),
    );
    l1.add('input2', write([[0, 2]], 2000));
    const l2 = new DataLoader('channel2');
    l2.add(
      'input3',
      write(
        [
          [0, 1],
          [2, 2],
        ],
        3000,
      ),
    );
    const list = new DataLoaderList();
    list.add(l1);
    list.add(l2);
    expect(list.mainLoader).toBe(l1); // upstream: the first added
    expect(list.length).toBe(2);
    expect([list.get('channel1'), list.get('channel2'), list.get(0), list.get(1)]).toEqual([l1, l2, l1, l2]);
    expect([list.loaderOf('input1'), list.loaderOf('input2'), list.loaderOf('input3')]).toEqual([l1, l1, l2]);
    expect([...list]).toEqual([l1, l2]);
    const secondaries = list.secondaries();
    expect([secondaries.mainLoader, secondaries.length, secondaries.get(0)]).toEqual([null, 1, l2]);

    // The executor marks the synchronization channel's loader explicitly.
    const explicit = new DataLoaderList();
    explicit.add(l2, false);
    explicit.add(l1, true);
    expect(explicit.mainLoader).toBe(l1);
    expect([...explicit.secondaries()]).toEqual([l2]);
  });
});
