// Outputs (reference §4), ported from upstream beat.backend.python test/test_outputs.py, plus the
// project's write(null) decision and strict format checks on write.
import { describe, expect, it } from 'vitest';
import { END_INDEX_MESSAGE, MemorySink, Output, OutputList, SynchronizationListener, type DataSink } from '../../src/core/beat';
import { registry, thrown } from '../fixtures/beat/helpers';

const formats = registry();
const integerFormat = formats.get('user/single_integer/1');

function output(listener: SynchronizationListener | null = new SynchronizationListener(), forceStartIndex = 0): [Output, MemorySink] {
  const sink = new MemorySink();
  return [new Output('test', integerFormat, { synchronizationListener: listener, sink, forceStartIndex }), sink];
}

describe('Output', () => {
  it('creation without and with a listener', () => {
    const [o] = output(null);
    expect([o.name, o.dataFormat, o.lastWrittenDataIndex, o.nbDataBlocksWritten, o.synchronizationListener]).toEqual([
      'test',
      'user/single_integer/1',
      -1,
      0,
      null,
    ]);
    const listener = new SynchronizationListener();
    const [o2] = output(listener);
    expect(o2.synchronizationListener).toBe(listener);
    expect(o2.isConnected()).toBe(true);
  });

  it('createData() is a default instance of the format', () => {
    const [o] = output();
    expect(o.createData()).toEqual({ value: 0 });
  });

  it('default end = the current interval: one unit per interval', () => {
    const listener = new SynchronizationListener();
    const [o, sink] = output(listener);
    for (let i = 0; i < 5; i++) {
      listener.onIntervalChanged(i, i);
      o.write({ value: i * i });
      expect([o.lastWrittenDataIndex, o.nbDataBlocksWritten, o.isDataMissing()]).toEqual([i, i + 1, false]);
    }
    expect(sink.units).toEqual([0, 1, 2, 3, 4].map((i) => ({ data: { value: i * i }, start: i, end: i })));
  });

  it('a sink failure propagates', () => {
    const listener = new SynchronizationListener();
    const failing: DataSink = {
      write: () => {
        throw new Error('disk full');
      },
      skip: () => {},
      close: () => {},
      isConnected: () => true,
    };
    const o = new Output('test', integerFormat, { synchronizationListener: listener, sink: failing });
    listener.onIntervalChanged(0, 0);
    expect(() => o.write({ value: 42 })).toThrow('disk full');
    expect(o.lastWrittenDataIndex).toBe(-1);
  });

  it('"delaying": intervals of two indices give units of two indices', () => {
    const listener = new SynchronizationListener();
    const [o, sink] = output(listener);
    for (let i = 0; i < 5; i++) {
      listener.onIntervalChanged(i * 2, i * 2 + 1);
      o.write({ value: i * i });
      expect([o.lastWrittenDataIndex, o.nbDataBlocksWritten, o.isDataMissing()]).toEqual([i * 2 + 1, i + 1, false]);
    }
    expect(sink.units.map((u) => [u.start, u.end])).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
      [8, 9],
    ]);
  });

  it('explicit end index: the start is always last + 1, data is missing until the interval end is reached', () => {
    const listener = new SynchronizationListener();
    const [o, sink] = output(listener);
    for (let i = 0; i < 5; i++) {
      listener.onIntervalChanged(i * 3, i * 3 + 2);
      o.write({ value: i * i }, i * 3 + 1);
      expect([o.lastWrittenDataIndex, o.nbDataBlocksWritten, o.isDataMissing()]).toEqual([i * 3 + 1, i + 1, true]);
    }
    expect(sink.units.map((u) => [u.data, u.start, u.end])).toEqual([0, 1, 2, 3, 4].map((i) => [{ value: i * i }, Math.max(i * 3 - 1, 0), i * 3 + 1]));
  });

  it('explicit end index too low or beyond the current interval: the upstream message', () => {
    const listener = new SynchronizationListener();
    const [o] = output(listener);
    listener.onIntervalChanged(0, 2);
    o.write({ value: 42 });
    listener.onIntervalChanged(3, 5);
    const low = thrown(() => o.write({ value: 42 }, 1));
    expect([low.code, low.message]).toEqual(['E_END_INDEX', END_INDEX_MESSAGE]);
    expect(END_INDEX_MESSAGE).toBe("Algorithm logic error on write(): `end_data_index' is not consistent with last written index");

    const [o2] = output(listener);
    listener.onIntervalChanged(0, 2);
    expect(thrown(() => o2.write({ value: 42 }, 4)).message).toBe(END_INDEX_MESSAGE);
    expect(thrown(() => o2.write({ value: 42 }, 1.5)).message).toBe('write(): end_data_index must be an integer, got 1.5');
    expect(o2.nbDataBlocksWritten).toBe(0);
  });

  it('without a listener (autonomous) each default write covers one more index; an explicit end may jump', () => {
    const [o, sink] = output(null, 10);
    o.write({ value: 1 });
    o.write({ value: 2 });
    o.write({ value: 3 }, 15);
    expect(sink.units.map((u) => [u.start, u.end])).toEqual([
      [10, 10],
      [11, 11],
      [12, 15],
    ]);
    expect(o.isDataMissing()).toBe(false);
    expect(thrown(() => o.write({ value: 4 }, 15)).message).toBe(END_INDEX_MESSAGE);
  });

  it('write(null) consumes the interval and delivers nothing (Fig. 6: skipped units)', () => {
    const listener = new SynchronizationListener();
    const [o, sink] = output(listener);
    for (let i = 0; i < 6; i++) {
      listener.onIntervalChanged(i, i);
      o.write(i === 2 || i === 4 ? null : { value: i });
    }
    expect(sink.units.map((u) => [u.data, u.start, u.end])).toEqual([
      [{ value: 0 }, 0, 0],
      [{ value: 1 }, 1, 1],
      [{ value: 3 }, 3, 3],
      [{ value: 5 }, 5, 5],
    ]);
    expect(sink.skipped).toEqual([
      { start: 2, end: 2 },
      { start: 4, end: 4 },
    ]);
    expect([o.nbDataBlocksWritten, o.lastWrittenDataIndex, o.isDataMissing()]).toEqual([6, 5, false]);
  });

  it('not writing at all merges the interval into the next written unit (the upstream skip)', () => {
    const listener = new SynchronizationListener();
    const [o, sink] = output(listener);
    for (let i = 0; i < 4; i++) {
      listener.onIntervalChanged(i, i);
      if (i % 2 === 1) o.write({ value: i });
      expect(o.isDataMissing()).toBe(i % 2 === 0);
    }
    expect(sink.units.map((u) => [u.start, u.end])).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('checks every write strictly against the format, naming the field', () => {
    const listener = new SynchronizationListener();
    const [o, sink] = output(listener);
    listener.onIntervalChanged(0, 0);
    const cases: [unknown, string, string][] = [
      [{ value: 1.5 }, 'E_FORMAT_CAST', "field 'value': expected int32, got 1.5"],
      [{ value: 2 ** 31 }, 'E_FORMAT_CAST', "field 'value': expected int32, got 2147483648"],
      [{ value: '3' }, 'E_FORMAT_CAST', 'field \'value\': expected int32, got string "3"'],
      [{}, 'E_FORMAT_ATTRIBUTES', "field 'value': missing"],
      [{ value: 1, extra: 2 }, 'E_FORMAT_ATTRIBUTES', "field 'extra': not declared by data format 'user/single_integer/1'"],
      [7, 'E_FORMAT_CAST', "expected an object of data format 'user/single_integer/1', got 7"],
    ];
    for (const [data, code, message] of cases) {
      const e = thrown(() => o.write(data));
      expect([e.code, e.message]).toEqual([code, message]);
    }
    expect([sink.units.length, o.nbDataBlocksWritten, o.lastWrittenDataIndex]).toEqual([0, 0, -1]);
    const written = { value: 3 };
    o.write(written);
    written.value = 99;
    expect(sink.units[0]!.data).toEqual({ value: 3 }); // the written object is copied
  });
});

describe('OutputList', () => {
  it('add, lookup by name and index, iteration, slice', () => {
    const listener = new SynchronizationListener();
    const outputs = new OutputList();
    expect(outputs.length).toBe(0);
    const o1 = new Output('output1', integerFormat, { synchronizationListener: listener });
    const o2 = new Output('output2', formats.get('user/single_float/1'), { synchronizationListener: listener });
    outputs.add(o1);
    outputs.add(o2);
    expect(outputs.length).toBe(2);
    expect([outputs.get(0), outputs.get(1), outputs.get('output2'), outputs.get('nope'), outputs.get(2)]).toEqual([o1, o2, o2, null, null]);
    expect(outputs.get(1)!.synchronizationListener).toBe(listener);
    expect([...outputs]).toEqual([o1, o2]);
    expect(outputs.slice(0, 1)).toEqual([o1]);
  });
});
