// Inputs and the synchronization algorithm (reference §3), ported from upstream
// beat.backend.python test/test_inputs.py (InputTest, RestrictedInputGroupTest, InputGroupTest,
// InputListTest) with every per-step expectation of its tables.
import { describe, expect, it } from 'vitest';
import { Input, InputGroup, InputList, SynchronizationListener, type DataStream } from '../../src/core/beat';
import { integers, singles, thrown } from '../fixtures/beat/helpers';

type V = { value: number };
const value = (i: Input): number => (i.data as V).value;

describe('Input', () => {
  it('starts with no data, indices -1, same-as-previous, nothing read', () => {
    const source: DataStream = [];
    const input = new Input('test', 'mock', source);
    expect(input.data).toBeNull();
    expect(input.group).toBeNull();
    expect(input.dataFormat).toBe('mock');
    expect(input.dataIndex).toBe(-1);
    expect(input.dataIndexEnd).toBe(-1);
    expect(input.dataSameAsPrevious).toBe(true);
    expect(input.dataSource).toBe(source);
    expect(input.name).toBe('test');
    expect(input.nbDataBlocksRead).toBe(0);
    expect(input.hasMoreData()).toBe(false);
    expect(new Input('test', 'mock', integers([[0, 0]], 10)).hasMoreData()).toBe(true);
  });

  it('retrieves one unit, then another', () => {
    const group = new InputGroup('channel1', { restrictedAccess: false });
    const input = new Input(
      'test',
      'user/single_integer/1',
      integers(
        [
          [0, 0],
          [1, 1],
        ],
        0,
        [10, 20],
      ),
    );
    group.add(input);
    expect([input.hasMoreData(), input.hasDataChanged(), input.isDataUnitDone()]).toEqual([true, false, true]);
    input.next();
    expect(value(input)).toBe(10);
    expect([input.dataIndex, input.dataIndexEnd, input.dataSameAsPrevious, input.nbDataBlocksRead]).toEqual([0, 0, false, 1]);
    expect([input.hasMoreData(), input.hasDataChanged(), input.isDataUnitDone()]).toEqual([true, true, true]);
    input.next();
    expect(value(input)).toBe(20);
    expect([input.dataIndex, input.dataIndexEnd, input.nbDataBlocksRead, input.hasMoreData()]).toEqual([1, 1, 2, false]);
  });

  it('fails past the last unit with the upstream "no more data" message', () => {
    const group = new InputGroup('channel1', { restrictedAccess: false });
    const input = new Input('test', 'mock', integers([[0, 0]], 10));
    group.add(input);
    input.next();
    const e = thrown(() => input.next());
    expect(e.code).toBe('E_NO_MORE_DATA');
    expect(e.message).toBe(
      "User algorithm asked for more data for channel `channel1' on input `test', but it is over (no more data). This normally indicates a programming error on the user side.",
    );
  });

  it('refuses next() on a restricted (synchronization) group: "Not authorized"', () => {
    const group = new InputGroup('channel1', { restrictedAccess: true });
    const input = new Input('test', 'mock', integers([[0, 0]], 10));
    group.add(input);
    expect([input.hasMoreData(), input.hasDataChanged(), input.isDataUnitDone()]).toEqual([true, false, true]);
    const e = thrown(() => input.next());
    expect([e.code, e.message]).toEqual(['E_NOT_AUTHORIZED', 'Not authorized']);
    expect(input.nbDataBlocksRead).toBe(0);
  });
});

describe('InputGroup', () => {
  it('defaults: restricted, no listener, indices -1', () => {
    const group = new InputGroup('channel1');
    expect(group.restrictedAccess).toBe(true);
    expect(group.synchronizationListener).toBeNull();
    expect(group.channel).toBe('channel1');
    expect(group.length).toBe(0);
    expect([group.dataIndex, group.dataIndexEnd, group.firstDataIndex, group.lastDataIndex]).toEqual([-1, -1, -1, -1]);
    const e = thrown(() => group.next());
    expect(e.message).toBe('Not authorized');
  });

  it('with a listener: the listener starts at -1 and receives the current interval', () => {
    const listener = new SynchronizationListener();
    const group = new InputGroup('channel1', { synchronizationListener: listener, restrictedAccess: false });
    expect(group.synchronizationListener).toBe(listener);
    expect([listener.dataIndexStart, listener.dataIndexEnd]).toEqual([-1, -1]);
    group.add(
      new Input(
        'a',
        'mock',
        integers([
          [0, 1],
          [2, 3],
        ]),
      ),
    );
    group.add(new Input('b', 'mock', integers(singles(4))));
    group.next();
    expect([listener.dataIndexStart, listener.dataIndexEnd]).toEqual([0, 0]);
    group.next();
    expect([listener.dataIndexStart, listener.dataIndexEnd]).toEqual([1, 1]);
  });

  it('add, lookup by name and index, iteration, hasMoreData', () => {
    const group = new InputGroup('channel1');
    const i1 = new Input('input1', 'mock', []);
    const i2 = new Input('input2', 'mock', []);
    group.add(i1);
    group.add(i2);
    expect(i1.group).toBe(group);
    expect(group.length).toBe(2);
    expect(group.get('input1')).toBe(i1);
    expect(group.get('input2')).toBe(i2);
    expect(group.get(1)).toBe(i2);
    expect(group.get('unknown')).toBeNull();
    expect(group.get(2)).toBeNull();
    expect([...group]).toEqual([i1, i2]);
    expect(group.hasMoreData()).toBe(false);
    const g2 = new InputGroup('channel1');
    g2.add(new Input('input1', 'mock', integers([[0, 0]], 10)));
    g2.add(new Input('input2', 'mock', integers([[0, 0]], 10)));
    expect(g2.hasMoreData()).toBe(true);
  });

  it('one input, units of different lengths', () => {
    const indices: [number, number][] = [
      [0, 0],
      [1, 1],
      [2, 3],
      [4, 4],
      [5, 5],
    ];
    const input = new Input('input', 'mock', integers(indices));
    const group = new InputGroup('channel1', { restrictedAccess: false });
    group.add(input);
    expect([group.hasMoreData(), input.hasMoreData(), input.isDataUnitDone(), input.hasDataChanged()]).toEqual([true, true, true, false]);
    indices.forEach(([s, e], i) => {
      group.next();
      expect([group.dataIndex, group.dataIndexEnd, group.firstDataIndex, group.lastDataIndex]).toEqual([s, e, s, e]);
      expect([value(input), input.dataIndex, input.dataIndexEnd, input.dataSameAsPrevious, input.nbDataBlocksRead]).toEqual([i, s, e, false, i + 1]);
      expect(group.hasMoreData()).toBe(i < 4);
      expect(input.hasMoreData()).toBe(i < 4);
      expect(input.isDataUnitDone()).toBe(true);
      expect(input.hasDataChanged()).toBe(true);
    });
  });

  it('three inputs at the same rate', () => {
    const indices = singles(5);
    const inputs = [0, 10, 20].map((base, k) => new Input(`input${k + 1}`, 'mock', integers(indices, base)));
    const group = new InputGroup('channel1', { restrictedAccess: false });
    for (const i of inputs) group.add(i);
    for (const i of inputs) expect([i.hasMoreData(), i.isDataUnitDone(), i.hasDataChanged()]).toEqual([true, true, false]);
    indices.forEach(([s, e], i) => {
      group.next();
      expect([group.dataIndex, group.dataIndexEnd, group.firstDataIndex, group.lastDataIndex]).toEqual([s, e, s, e]);
      inputs.forEach((input, k) => {
        expect([value(input), input.dataIndex, input.dataIndexEnd, input.dataSameAsPrevious, input.nbDataBlocksRead]).toEqual([i + 10 * k, s, e, false, i + 1]);
        expect([input.hasMoreData(), input.isDataUnitDone(), input.hasDataChanged()]).toEqual([i < 4, true, true]);
      });
      expect(group.hasMoreData()).toBe(i < 4);
    });
  });

  it('three inputs at different rates (6, 3 and 1 units)', () => {
    const indices1 = singles(6);
    const indices2: [number, number][] = [
      [0, 1],
      [2, 3],
      [4, 5],
    ];
    const indices3: [number, number][] = [[0, 5]];
    const hasMoreData = [
      [true, true, true, true, true, false],
      [true, true, true, true, false, false],
      [false, false, false, false, false, false],
    ];
    const isDataUnitDone = [
      [true, true, true, true, true, true],
      [false, true, false, true, false, true],
      [false, false, false, false, false, true],
    ];
    const hasDataChanged = [
      [true, true, true, true, true, true],
      [true, false, true, false, true, false],
      [true, false, false, false, false, false],
    ];
    const in1 = new Input('input1', 'mock', integers(indices1));
    const in2 = new Input('input2', 'mock', integers(indices2, 10));
    const in3 = new Input('input3', 'mock', integers(indices3, 20));
    const group = new InputGroup('channel1', { restrictedAccess: false });
    for (const i of [in1, in2, in3]) group.add(i);
    for (let i = 0; i < 6; i++) {
      group.next();
      const h = Math.floor(i / 2);
      expect([group.dataIndex, group.dataIndexEnd]).toEqual([0, 5]);
      expect([group.firstDataIndex, group.lastDataIndex]).toEqual(indices1[i]);
      expect([value(in1), in1.dataIndex, in1.dataIndexEnd, in1.dataSameAsPrevious, in1.nbDataBlocksRead]).toEqual([i, i, i, false, i + 1]);
      expect([value(in2), in2.dataIndex, in2.dataIndexEnd, in2.nbDataBlocksRead]).toEqual([h + 10, ...indices2[h]!, h + 1]);
      expect([value(in3), in3.dataIndex, in3.dataIndexEnd, in3.nbDataBlocksRead]).toEqual([20, 0, 5, 1]);
      expect(group.hasMoreData()).toBe(hasMoreData[0]![i]);
      [in1, in2, in3].forEach((input, k) => {
        expect(input.hasMoreData()).toBe(hasMoreData[k]![i]);
        expect(input.isDataUnitDone()).toBe(isDataUnitDone[k]![i]);
        expect(input.hasDataChanged()).toBe(hasDataChanged[k]![i]);
      });
    }
  });

  it('two desynchronized inputs: the current interval is the gap between successive end indices', () => {
    const indices1: [number, number][] = [
      [0, 2],
      [3, 5],
      [6, 8],
      [9, 11],
      [12, 14],
      [15, 17],
    ];
    const indices2: [number, number][] = [
      [0, 4],
      [5, 10],
      [11, 17],
    ];
    const values1 = [0, 1, 1, 2, 3, 3, 4, 5];
    const values2 = [0, 0, 1, 1, 1, 2, 2, 2];
    const hull = [
      [0, 4],
      [0, 5],
      [3, 10],
      [5, 10],
      [5, 11],
      [9, 17],
      [11, 17],
      [11, 17],
    ];
    const interval = [
      [0, 2],
      [3, 4],
      [5, 5],
      [6, 8],
      [9, 10],
      [11, 11],
      [12, 14],
      [15, 17],
    ];
    const unit1 = [
      [0, 2],
      [3, 5],
      [3, 5],
      [6, 8],
      [9, 11],
      [9, 11],
      [12, 14],
      [15, 17],
    ];
    const unit2 = [
      [0, 4],
      [0, 4],
      [5, 10],
      [5, 10],
      [5, 10],
      [11, 17],
      [11, 17],
      [11, 17],
    ];
    const more1 = [true, true, true, true, true, true, true, false];
    const more2 = [true, true, true, true, true, false, false, false];
    const done1 = [true, false, true, true, false, true, true, true];
    const done2 = [false, true, false, false, true, false, false, true];
    const changed1 = [true, true, false, true, true, false, true, true];
    const changed2 = [true, false, true, false, false, true, false, false];
    const in1 = new Input('input1', 'mock', integers(indices1));
    const in2 = new Input('input2', 'mock', integers(indices2));
    const group = new InputGroup('channel1', { restrictedAccess: false });
    group.add(in1);
    group.add(in2);
    for (let i = 0; i < 8; i++) {
      group.next();
      expect([group.dataIndex, group.dataIndexEnd]).toEqual(hull[i]);
      expect([group.firstDataIndex, group.lastDataIndex]).toEqual(interval[i]);
      expect([value(in1), in1.dataIndex, in1.dataIndexEnd]).toEqual([values1[i], ...unit1[i]!]);
      expect([value(in2), in2.dataIndex, in2.dataIndexEnd]).toEqual([values2[i], ...unit2[i]!]);
      expect([group.hasMoreData(), in1.hasMoreData(), in2.hasMoreData()]).toEqual([more1[i], more1[i], more2[i]]);
      expect([in1.isDataUnitDone(), in2.isDataUnitDone()]).toEqual([done1[i], done2[i]]);
      expect([in1.hasDataChanged(), in2.hasDataChanged()]).toEqual([changed1[i], changed2[i]]);
    }
  });

  it('two inputs, 8 units against 2', () => {
    const indices1 = singles(8);
    const indices2: [number, number][] = [
      [0, 3],
      [4, 7],
    ];
    const done2 = [false, false, false, true, false, false, false, true];
    const changed2 = [true, false, false, false, true, false, false, false];
    const in1 = new Input('input1', 'mock', integers(indices1));
    const in2 = new Input('input2', 'mock', integers(indices2));
    const group = new InputGroup('channel1', { restrictedAccess: false });
    group.add(in1);
    group.add(in2);
    for (let i = 0; i < 8; i++) {
      group.next();
      const h = Math.floor(i / 4);
      expect([group.dataIndex, group.dataIndexEnd]).toEqual(indices2[h]);
      expect([group.firstDataIndex, group.lastDataIndex]).toEqual([i, i]);
      expect([value(in1), value(in2), in2.dataIndex, in2.dataIndexEnd]).toEqual([i, h, ...indices2[h]!]);
      expect([group.hasMoreData(), in1.hasMoreData(), in2.hasMoreData()]).toEqual([i < 7, i < 7, i < 4]);
      expect([in1.isDataUnitDone(), in2.isDataUnitDone()]).toEqual([true, done2[i]]);
      expect([in1.hasDataChanged(), in2.hasDataChanged()]).toEqual([true, changed2[i]]);
    }
  });

  it('a per-input next() on a secondary group moves only that input; the group then advances from it', () => {
    const a = new Input('a', 'mock', integers(singles(4)));
    const b = new Input('b', 'mock', integers(singles(4), 100));
    const group = new InputGroup('secondary', { restrictedAccess: false });
    group.add(a);
    group.add(b);
    a.next();
    a.next();
    expect([value(a), a.dataIndexEnd, b.dataIndexEnd]).toEqual([1, 1, -1]);
    // b's unit ends first (-1): only b advances.
    group.next();
    expect([value(a), value(b), group.firstDataIndex, group.lastDataIndex]).toEqual([1, 100, 1, 0]);
    expect([a.hasDataChanged(), b.hasDataChanged()]).toEqual([false, true]);
    group.next();
    expect([value(a), value(b), group.firstDataIndex, group.lastDataIndex]).toEqual([1, 101, 1, 1]);
    group.next();
    expect([value(a), value(b), a.nbDataBlocksRead, b.nbDataBlocksRead]).toEqual([2, 102, 3, 3]);
  });
});

describe('InputList', () => {
  it('empty list', () => {
    const inputs = new InputList();
    expect(inputs.mainGroup).toBeNull();
    expect(inputs.nbGroups()).toBe(0);
    expect(inputs.length).toBe(0);
    expect(inputs.hasMoreData()).toBe(false);
    expect(inputs.get('unknown')).toBeNull();
    expect(inputs.groupOf('unknown')).toBeNull();
    expect([inputs.currentDataIndex, inputs.currentEndDataIndex]).toEqual([-1, -1]);
  });

  it('two groups, three inputs: main group, lookup by name and index, groupOf, iteration, slice', () => {
    const inputs = new InputList();
    const group1 = new InputGroup('channel1');
    const i1 = new Input('input1', 'mock', []);
    const i2 = new Input('input2', 'mock', []);
    group1.add(i1);
    group1.add(i2);
    inputs.add(group1);
    const group2 = new InputGroup('channel2', { restrictedAccess: false });
    const i3 = new Input('input3', 'mock', []);
    group2.add(i3);
    inputs.add(group2);
    expect(inputs.mainGroup).toBe(group1);
    expect(inputs.nbGroups()).toBe(2);
    expect(inputs.length).toBe(3);
    expect([inputs.get('input1'), inputs.get('input2'), inputs.get('input3')]).toEqual([i1, i2, i3]);
    expect([inputs.get(0), inputs.get(1), inputs.get(2), inputs.get(3), inputs.get(-1)]).toEqual([i1, i2, i3, null, null]);
    expect([inputs.groupOf('input1'), inputs.groupOf('input2'), inputs.groupOf('input3')]).toEqual([group1, group1, group2]);
    expect([inputs.group('channel2'), inputs.group(0), inputs.group('nope'), inputs.group(5)]).toEqual([group2, group1, null, null]);
    expect([...inputs].map((i) => i.name)).toEqual(['input1', 'input2', 'input3']);
    expect(inputs.slice(0, 2).map((i) => i.name)).toEqual(['input1', 'input2']);
    expect(inputs.slice(1).map((i) => i.name)).toEqual(['input2', 'input3']);
    expect(inputs.slice(-1).map((i) => i.name)).toEqual(['input3']);
  });

  it('hasMoreData covers secondary groups; next() advances the unsynchronized groups only', () => {
    const inputs = new InputList();
    const main = new InputGroup('main', { synchronizationListener: new SynchronizationListener() });
    main.add(new Input('m', 'mock', integers(singles(2))));
    inputs.add(main);
    const side = new InputGroup('side', { restrictedAccess: false });
    side.add(new Input('s1', 'mock', integers(singles(3), 50)));
    side.add(new Input('s2', 'mock', integers([[0, 2]], 70)));
    inputs.add(side);

    // The platform drives the main group (unlocking it around the advance).
    main.restrictedAccess = false;
    main.next();
    main.restrictedAccess = true;
    expect([inputs.currentDataIndex, inputs.currentEndDataIndex]).toEqual([0, 0]);

    const seen: number[][] = [];
    while (side.hasMoreData()) {
      inputs.next();
      seen.push([(inputs.get('s1')!.data as V).value, (inputs.get('s2')!.data as V).value, side.firstDataIndex, side.lastDataIndex]);
    }
    expect(seen).toEqual([
      [50, 70, 0, 0],
      [51, 70, 1, 1],
      [52, 70, 2, 2],
    ]);
    expect(inputs.get('m')!.nbDataBlocksRead).toBe(1); // never advanced by inputs.next()
    expect(inputs.hasMoreData()).toBe(true); // the main group still has a unit
    const e = thrown(() => inputs.next());
    expect(e.code).toBe('E_NO_MORE_DATA');
    expect(e.message).toBe(
      'User algorithm asked for more data on the unsynchronized channels, but they are over (no more data). This normally indicates a programming error on the user side.',
    );
  });
});
