// The block executor (reference §8): the three algorithm types over in-memory streams, the upstream
// test algorithms (echo, add, add2, add3), lifecycle failures with the reference's messages,
// analyzers, missing outputs, explicit end indices, skips, the seed's Fig. 3 and Fig. 6 semantics,
// and split runs (§10).
import { describe, expect, it } from 'vitest';
import {
  executeBlock,
  executeSplit,
  mergeSplitRuns,
  splitRange,
  type AutonomousAlgorithm,
  type BlockRun,
  type DataLoaderList,
  type DataStream,
  type ExecuteBlockRequest,
  type InputList,
  type LegacyAlgorithm,
  type LegacyAnalyzer,
  type Output,
  type OutputList,
  type SequentialAlgorithm,
} from '../../src/core/beat';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { integers, registry, singles } from '../fixtures/beat/helpers';

type V = { value: number };
const INT = 'user/single_integer/1';
const formats = registry();
const v = (inputs: InputList, name: string): number => (inputs.get(name)!.data as V).value;

/** [value, start, end] of each unit of an output. */
function units(run: BlockRun, output: string): [unknown, number, number][] {
  return (run.outputs[output] ?? []).map((u) => [(u.data as V).value, u.start, u.end]);
}

function run(req: Omit<ExecuteBlockRequest, 'dataFormats'>): Promise<BlockRun> {
  return executeBlock({ dataFormats: formats, ...req });
}

/** One group `in` → `out` of user/single_integer/1, or custom groups. */
function decl(extra: Record<string, unknown> = {}, groups?: unknown[]): Record<string, unknown> {
  return {
    language: 'javascript',
    splittable: false,
    groups: groups ?? [{ inputs: { in: { type: INT } }, outputs: { out: { type: INT } } }],
    ...extra,
  };
}

class LegacyEcho implements LegacyAlgorithm {
  process(inputs: InputList, outputs: OutputList): boolean {
    outputs.get('out')!.write({ value: v(inputs, 'in') });
    return true;
  }
}

class SequentialEcho implements SequentialAlgorithm {
  process(inputs: InputList, _loaders: DataLoaderList, outputs: OutputList): boolean {
    outputs.get('out')!.write({ value: v(inputs, 'in') });
    return true;
  }
}

class AutonomousEcho implements AutonomousAlgorithm {
  process(loaders: DataLoaderList, outputs: OutputList): boolean {
    const loader = loaders.loaderOf('in')!;
    for (let i = 0; i < loader.count(); i++) {
      const [data, , end] = loader.get(i);
      outputs.get('out')!.write({ value: (data!.in as V).value }, end);
    }
    return true;
  }
}

describe('echo, for each algorithm type (upstream test_executor)', () => {
  const input = integers(singles(5), 1000);
  const expected = [0, 1, 2, 3, 4].map((i) => [1000 + i, i, i]);

  it('legacy: one process() per unit, and the legacy warning once', async () => {
    const r = await run({ declaration: decl(), algorithm: LegacyEcho, inputs: { in: input }, name: 'user/echo/1' });
    expect(r.error).toBeNull();
    expect([r.ok, r.processCalls, r.result]).toEqual([true, 5, null]);
    expect(units(r, 'out')).toEqual(expected);
    expect(r.warnings).toEqual(['user/echo/1 is using LEGACY I/O API, please upgrade this algorithm as soon as possible']);
  });

  it('sequential', async () => {
    const r = await run({ declaration: decl({ api_version: 2 }), algorithm: SequentialEcho, inputs: { in: input } });
    expect([r.ok, r.processCalls, r.warnings]).toEqual([true, 5, []]);
    expect(units(r, 'out')).toEqual(expected);
  });

  it('autonomous: process() once, writes with explicit end indices', async () => {
    const r = await run({ declaration: decl({ api_version: 2, type: 'autonomous' }), algorithm: AutonomousEcho, inputs: { in: input } });
    expect([r.ok, r.processCalls]).toEqual([true, 1]);
    expect(units(r, 'out')).toEqual(expected);
  });

  it('async methods are awaited; truthiness applies to the resolved value', async () => {
    class AsyncEcho {
      async setup(): Promise<boolean> {
        await Promise.resolve();
        return true;
      }
      async process(inputs: InputList, outputs: OutputList): Promise<number> {
        await new Promise((resolve) => setTimeout(resolve, 1));
        outputs.get('out')!.write({ value: v(inputs, 'in') * 2 });
        return 1;
      }
    }
    const r = await run({ declaration: decl(), algorithm: AsyncEcho, inputs: { in: integers(singles(3), 1) } });
    expect([r.ok, r.processCalls]).toEqual([true, 3]);
    expect(units(r, 'out')).toEqual([
      [2, 0, 0],
      [4, 1, 1],
      [6, 2, 2],
    ]);
  });

  it('an empty synchronization channel: no process() call, no output, success', async () => {
    const r = await run({ declaration: decl(), algorithm: LegacyEcho, inputs: { in: [] } });
    expect([r.ok, r.processCalls, r.outputs]).toEqual([true, 0, { out: [] }]);
  });
});

describe('synchronization inside the block', () => {
  // add: in1 at one index per unit, in2 spanning two: 6 calls, in2 changes every other call.
  const twoInputs = decl({}, [{ inputs: { in1: { type: INT }, in2: { type: INT } }, outputs: { out: { type: INT } } }]);

  it('several rates: one process() per finest interval, coarse inputs keep their unit', async () => {
    const trace: unknown[] = [];
    class Add {
      process(inputs: InputList, outputs: OutputList): boolean {
        const in2 = inputs.get('in2')!;
        trace.push([inputs.currentDataIndex, inputs.currentEndDataIndex, in2.hasDataChanged(), in2.isDataUnitDone()]);
        outputs.get('out')!.write({ value: v(inputs, 'in1') + v(inputs, 'in2') });
        return true;
      }
    }
    const r = await run({
      declaration: twoInputs,
      algorithm: Add,
      inputs: {
        in1: integers(singles(6), 1),
        in2: integers(
          [
            [0, 1],
            [2, 3],
            [4, 5],
          ],
          10,
        ),
      },
    });
    expect(r.processCalls).toBe(6);
    expect(units(r, 'out')).toEqual([
      [11, 0, 0],
      [12, 1, 1],
      [14, 2, 2],
      [15, 3, 3],
      [17, 4, 4],
      [18, 5, 5],
    ]);
    expect(trace).toEqual([
      [0, 0, true, false],
      [1, 1, false, true],
      [2, 2, true, false],
      [3, 3, false, true],
      [4, 4, true, false],
      [5, 5, false, true],
    ]);
  });

  it('misaligned units: the current interval is the gap between successive end indices', async () => {
    class Interval {
      process(inputs: InputList, outputs: OutputList): boolean {
        outputs.get('out')!.write({ value: inputs.currentEndDataIndex - inputs.currentDataIndex + 1 });
        return true;
      }
    }
    const r = await run({
      declaration: twoInputs,
      algorithm: Interval,
      inputs: {
        in1: integers([
          [0, 2],
          [3, 5],
          [6, 8],
        ]),
        in2: integers([
          [0, 4],
          [5, 8],
        ]),
      },
    });
    expect(units(r, 'out')).toEqual([
      [3, 0, 2],
      [2, 3, 4],
      [1, 5, 5],
      [3, 6, 8],
    ]);
  });

  it('next() on an input of the synchronization group is refused: "Not authorized"', async () => {
    class Greedy {
      process(inputs: InputList): boolean {
        inputs.get('in')!.next();
        return true;
      }
    }
    const r = await run({ declaration: decl(), algorithm: Greedy, inputs: { in: integers(singles(3)) } });
    expect([r.ok, r.processCalls, r.error]).toEqual([false, 1, { code: 'E_NOT_AUTHORIZED', message: 'Not authorized', stage: 'process', details: [] }]);
    class GroupGreedy {
      process(inputs: InputList): boolean {
        inputs.mainGroup!.next();
        return true;
      }
    }
    expect((await run({ declaration: decl(), algorithm: GroupGreedy, inputs: { in: integers(singles(3)) } })).error!.message).toBe('Not authorized');
  });
});

describe('secondary channels', () => {
  const groups = [
    { inputs: { in1: { type: INT } }, outputs: { out: { type: INT } } },
    { name: 'offsets', inputs: { in2: { type: INT } } },
  ];

  it('legacy add2: the algorithm advances the secondary group itself', async () => {
    class Add2 {
      offset: number | null = null;
      process(inputs: InputList, outputs: OutputList): boolean {
        if (this.offset === null) {
          const group = inputs.groupOf('in2')!;
          group.next();
          this.offset = (group.get('in2')!.data as V).value;
        }
        outputs.get('out')!.write({ value: v(inputs, 'in1') + this.offset });
        return true;
      }
    }
    const r = await run({ declaration: decl({}, groups), algorithm: Add2, inputs: { in1: integers(singles(3), 1), in2: integers([[0, 0]], 100) } });
    expect([r.ok, r.processCalls]).toEqual([true, 3]);
    expect(units(r, 'out')).toEqual([
      [101, 0, 0],
      [102, 1, 1],
      [103, 2, 2],
    ]);
  });

  it('legacy desynchronization: per-input next() on a secondary input, the rest of its group untouched', async () => {
    const seen: number[][] = [];
    class Desync {
      process(inputs: InputList, outputs: OutputList): boolean {
        const side = inputs.get('a')!;
        if (side.hasMoreData()) side.next();
        seen.push([inputs.get('a')!.nbDataBlocksRead, inputs.get('b')!.nbDataBlocksRead]);
        outputs.get('out')!.write({ value: v(inputs, 'in1') + (side.data as V).value });
        return true;
      }
    }
    const r = await run({
      declaration: decl({}, [groups[0], { inputs: { a: { type: INT }, b: { type: INT } } }]),
      algorithm: Desync,
      inputs: { in1: integers(singles(3), 1), a: integers(singles(3), 10), b: [] },
    });
    expect([r.ok, seen]).toEqual([
      true,
      [
        [1, 0],
        [2, 0],
        [3, 0],
      ],
    ]);
    expect(units(r, 'out')).toEqual([
      [11, 0, 0],
      [13, 1, 1],
      [15, 2, 2],
    ]);
  });

  it('quirk (§8): unread secondary units keep the loop going past the synchronization channel → "no more data"', async () => {
    class Add2Once {
      process(inputs: InputList, outputs: OutputList): boolean {
        outputs.get('out')!.write({ value: v(inputs, 'in1') });
        return true;
      }
    }
    const r = await run({ declaration: decl({}, groups), algorithm: Add2Once, inputs: { in1: integers(singles(2)), in2: integers(singles(2)) } });
    expect([r.ok, r.processCalls]).toEqual([false, 2]);
    expect(r.error).toEqual({
      code: 'E_NO_MORE_DATA',
      stage: 'process',
      details: [],
      message:
        "User algorithm asked for more data for channel `group0' on input `in1', but it is over (no more data). This normally indicates a programming error on the user side.",
    });
    expect(units(r, 'out')).toEqual([
      [0, 0, 0],
      [1, 1, 1],
    ]);
  });

  it('too many next() on a secondary group → "no more data" on that channel', async () => {
    class TooManyNexts {
      process(inputs: InputList, outputs: OutputList): boolean {
        inputs.groupOf('in2')!.next();
        outputs.get('out')!.write({ value: 0 });
        return true;
      }
    }
    const r = await run({ declaration: decl({}, groups), algorithm: TooManyNexts, inputs: { in1: integers(singles(3)), in2: integers(singles(2)) } });
    expect([r.ok, r.processCalls, r.error!.code]).toEqual([false, 3, 'E_NO_MORE_DATA']);
    expect(r.error!.message).toContain("for channel `offsets' on input `in2', but it is over (no more data)");
  });

  it('sequential add2: prepare() reads the secondary loader', async () => {
    class SeqAdd2 {
      offset = 0;
      prepare(loaders: DataLoaderList): boolean {
        const [data] = loaders.loaderOf('in2')!.get(0);
        this.offset = (data!.in2 as V).value;
        return true;
      }
      process(inputs: InputList, _loaders: DataLoaderList, outputs: OutputList): boolean {
        outputs.get('out')!.write({ value: v(inputs, 'in1') + this.offset });
        return true;
      }
    }
    const r = await run({
      declaration: decl({ api_version: 2 }, groups),
      algorithm: SeqAdd2,
      inputs: { in1: integers(singles(3), 1), in2: integers([[0, 2]], 100) },
    });
    expect([r.ok, r.processCalls]).toEqual([true, 3]);
    expect(units(r, 'out')).toEqual([
      [101, 0, 0],
      [102, 1, 1],
      [103, 2, 2],
    ]);
  });

  it('autonomous add3: a loader indexed by a value of another; prepare() gets the secondaries only', async () => {
    const prepared: string[][] = [];
    class Add3 {
      prepare(loaders: DataLoaderList): boolean {
        prepared.push(
          [...loaders].map((l) => l.channel),
          [String(loaders.mainLoader)],
        );
        return true;
      }
      process(loaders: DataLoaderList, outputs: OutputList): boolean {
        const values = loaders.loaderOf('value')!;
        const offsets = loaders.loaderOf('offset')!;
        expect(loaders.mainLoader).toBe(values);
        for (let i = 0; i < values.count(); i++) {
          const [data, , end] = values.get(i);
          const [data2] = offsets.get((data!.offset_index as V).value);
          outputs.get('out')!.write({ value: (data!.value as V).value + (data2!.offset as V).value }, end);
        }
        return true;
      }
    }
    const r = await run({
      declaration: decl({ api_version: 2, type: 'autonomous' }, [
        { name: 'main', inputs: { value: { type: INT }, offset_index: { type: INT } }, outputs: { out: { type: INT } } },
        { name: 'offsets', inputs: { offset: { type: INT } } },
      ]),
      algorithm: Add3,
      inputs: {
        value: integers(singles(4), 1),
        offset_index: integers(singles(4), 0, [1, 0, 1, 0]),
        offset: integers(singles(2), 0, [100, 200]),
      },
    });
    expect(r.error).toBeNull();
    expect(prepared).toEqual([['offsets'], ['null']]);
    expect(units(r, 'out')).toEqual([
      [201, 0, 0],
      [102, 1, 1],
      [203, 2, 2],
      [104, 3, 3],
    ]);
  });
});

describe('lifecycle failures (reference messages)', () => {
  const input = { in: integers(singles(3)) };

  it('setup() returning false, throwing, or a constructor throwing', async () => {
    class SetupFalse extends LegacyEcho {
      setup(): boolean {
        return false;
      }
    }
    const r = await run({ declaration: decl(), algorithm: SetupFalse, inputs: input });
    expect([r.ok, r.processCalls, r.error]).toEqual([
      false,
      0,
      { code: 'E_SETUP_FALSE', message: 'Could not setup algorithm (returned False)', stage: 'setup', details: [] },
    ]);
    class SetupCrash extends LegacyEcho {
      setup(): boolean {
        throw new Error('setup crashed');
      }
    }
    expect((await run({ declaration: decl(), algorithm: SetupCrash, inputs: input })).error).toEqual({
      code: 'E_USER',
      message: 'setup crashed',
      stage: 'setup',
      details: [],
    });
  });

  it('prepare() returning false (API v2); ignored with a warning on API v1', async () => {
    class PrepareFalse extends SequentialEcho {
      prepare(): boolean {
        return false;
      }
    }
    const r = await run({ declaration: decl({ api_version: 2 }), algorithm: PrepareFalse, inputs: input });
    expect([r.error!.code, r.error!.message, r.error!.stage, r.processCalls]).toEqual([
      'E_PREPARE_FALSE',
      'Could not prepare algorithm (returned False)',
      'prepare',
      0,
    ]);
    class LegacyWithPrepare extends LegacyEcho {
      prepare(): boolean {
        return false;
      }
    }
    const legacy = await run({ declaration: decl(), algorithm: LegacyWithPrepare, inputs: input, name: 'A' });
    expect([legacy.ok, legacy.warnings]).toEqual([
      true,
      ['Prepare is a reserved function name starting with API V2', 'A is using LEGACY I/O API, please upgrade this algorithm as soon as possible'],
    ]);
  });

  it('process() returning a falsy value (or forgetting to return) stops the run', async () => {
    for (const returned of [false, undefined, 0, null]) {
      let calls = 0;
      class Fails {
        process(inputs: InputList, outputs: OutputList): unknown {
          outputs.get('out')!.write({ value: v(inputs, 'in') });
          calls += 1;
          return calls < 2 ? true : returned;
        }
      }
      const r = await run({ declaration: decl(), algorithm: Fails, inputs: input });
      expect([r.ok, r.processCalls, r.error]).toEqual([
        false,
        2,
        { code: 'E_PROCESS_FALSE', message: 'Could not run algorithm (returned False)', stage: 'process', details: [] },
      ]);
      expect(units(r, 'out')).toEqual([
        [0, 0, 0],
        [1, 1, 1],
      ]);
    }
    class AutonomousFalse {
      process(): boolean {
        return false;
      }
    }
    const a = await run({ declaration: decl({ api_version: 2, type: 'autonomous' }), algorithm: AutonomousFalse, inputs: input });
    expect([a.processCalls, a.error!.message]).toEqual([1, 'Could not run algorithm (returned False)']);
  });

  it('a write error inside process() fails the run with the field path', async () => {
    class Bad {
      process(_inputs: InputList, outputs: OutputList): boolean {
        outputs.get('out')!.write({ value: 1.5 });
        return true;
      }
    }
    const r = await run({ declaration: decl(), algorithm: Bad, inputs: input });
    expect(r.error).toEqual({ code: 'E_FORMAT_CAST', message: "field 'value': expected int32, got 1.5", stage: 'process', details: [] });
  });

  it('parameters are checked before setup(); not at all without a setup() method', async () => {
    const received: unknown[] = [];
    class Parametrized extends LegacyEcho {
      setup(p: Record<string, unknown>): boolean {
        received.push(p);
        return true;
      }
    }
    const declaration = decl({ parameters: { threshold: { type: 'float32', default: 0.5, range: [0, 1] } } });
    expect((await run({ declaration, algorithm: Parametrized, inputs: input, parameters: { threshold: 0.25 } })).ok).toBe(true);
    expect((await run({ declaration, algorithm: Parametrized, inputs: input })).ok).toBe(true);
    expect(received).toEqual([{ threshold: 0.25 }, { threshold: 0.5 }]);
    const bad = await run({ declaration, algorithm: Parametrized, inputs: input, parameters: { threshold: 2 }, name: 'user/t/1' });
    expect(bad.error).toEqual({
      code: 'E_PARAM_VALUE',
      stage: 'setup',
      details: [],
      message:
        "parameter `threshold' cannot be safely cast to the declared type on algorithm `user/t/1': value for `threshold' (2) must be picked within interval `[0.0, 1.0]'",
    });
    const unknown = await run({ declaration, algorithm: Parametrized, inputs: input, parameters: { nope: 1 }, name: 'user/t/1' });
    expect(unknown.error!.message).toBe("parameters `nope' are not declared for algorithm `user/t/1' - valid parameters are `threshold'");
    // No setup() method: the algorithm is ready, parameters are not looked at.
    expect((await run({ declaration, algorithm: LegacyEcho, inputs: input, parameters: { nope: 1 } })).ok).toBe(true);
  });

  it('invalid declarations, streams and ranges are reported, not thrown', async () => {
    const d = await run({ declaration: { language: 'javascript', groups: [{ inputs: {} }] }, algorithm: LegacyEcho, inputs: {} });
    expect(d.error).toEqual({
      code: 'E_DECLARATION',
      stage: 'declaration',
      message: 'invalid algorithm declaration: groups[0].outputs: a block declares its outputs in the first group',
      details: ['groups[0].outputs: a block declares its outputs in the first group'],
    });
    const cases: [Record<string, DataStream>, string, string][] = [
      [{}, 'E_INPUT_STREAM', "no data for input 'in'"],
      [{ in: [], other: [] }, 'E_INPUT_STREAM', "unknown input 'other' (declared inputs: in)"],
      [
        {
          in: integers([
            [0, 1],
            [1, 2],
          ]),
        },
        'E_INPUT_STREAM',
        "input 'in': unit 1 [1, 2] overlaps or precedes the previous unit (which ends at 1)",
      ],
      [{ in: integers([[2, 1]]) }, 'E_INPUT_STREAM', "input 'in': unit 0 has invalid indices [2, 1] (expected integers 0 ≤ start ≤ end)"],
      [{ in: [{ data: { value: 0.5 }, start: 0, end: 0 }] }, 'E_FORMAT_CAST', "input 'in', unit [0, 0]: field 'value': expected int32, got 0.5"],
    ];
    for (const [inputs, code, message] of cases) {
      const r = await run({ declaration: decl(), algorithm: LegacyEcho, inputs });
      expect([r.error!.code, r.error!.message, r.error!.stage]).toEqual([code, message, 'inputs']);
    }
    // checkInputs: false passes units through as they are.
    const unchecked = await run({
      declaration: decl(),
      algorithm: LegacyEcho,
      inputs: { in: [{ data: { value: 3, extra: 1 }, start: 0, end: 0 }] },
      checkInputs: false,
    });
    expect(units(unchecked, 'out')).toEqual([[3, 0, 0]]);
    const range = await run({ declaration: decl(), algorithm: LegacyEcho, inputs: input, range: [3, 1] });
    expect([range.error!.code, range.error!.message]).toEqual(['E_RANGE', 'invalid range [3, 1]: expected integers 0 ≤ start ≤ end']);
  });
});

describe('outputs at the end of a run', () => {
  const twoOutputs = decl({}, [{ inputs: { in: { type: INT } }, outputs: { a: { type: INT }, b: { type: INT } } }]);
  const input = { in: integers(singles(4)) };

  it('"Missing data on the following output(s): …" for outputs that do not reach the last index', async () => {
    class OnlyA {
      process(inputs: InputList, outputs: OutputList): boolean {
        outputs.get('a')!.write({ value: v(inputs, 'in') });
        return true;
      }
    }
    const r = await run({ declaration: twoOutputs, algorithm: OnlyA, inputs: input });
    expect([r.ok, r.processCalls, r.error]).toEqual([
      false,
      4,
      { code: 'E_MISSING_DATA', message: 'Missing data on the following output(s): b', stage: 'outputs', details: [] },
    ]);
    expect(units(r, 'a')).toHaveLength(4);
    class Nothing {
      process(): boolean {
        return true;
      }
    }
    expect((await run({ declaration: twoOutputs, algorithm: Nothing, inputs: input })).error!.message).toBe('Missing data on the following output(s): a, b');
  });

  it('explicit end indices: units shorter than the interval, the rest merged into the next write', async () => {
    class Explicit {
      process(inputs: InputList, outputs: OutputList): boolean {
        const i = inputs.get('in')!;
        // In each 3-index interval write [.., start + 1] now; the next write picks up the remainder.
        outputs.get('a')!.write({ value: i.dataIndex }, i.dataIndex + 1);
        outputs.get('b')!.write({ value: i.dataIndex });
        return true;
      }
    }
    const r = await run({
      declaration: twoOutputs,
      algorithm: Explicit,
      inputs: {
        in: integers([
          [0, 2],
          [3, 5],
          [6, 8],
        ]),
      },
    });
    expect(units(r, 'a')).toEqual([
      [0, 0, 1],
      [3, 2, 4],
      [6, 5, 7],
    ]);
    expect(units(r, 'b')).toEqual([
      [0, 0, 2],
      [3, 3, 5],
      [6, 6, 8],
    ]);
    expect(r.error!.message).toBe('Missing data on the following output(s): a');
  });

  it('autonomous outputs must reach the main loader end too (decision §4.3); default writes cover one index each', async () => {
    class Partial {
      process(loaders: DataLoaderList, outputs: OutputList): boolean {
        for (let i = 0; i < loaders.mainLoader!.count() - 1; i++) outputs.get('out')!.write({ value: i });
        return true;
      }
    }
    const r = await run({ declaration: decl({ api_version: 2, type: 'autonomous' }), algorithm: Partial, inputs: input });
    expect(units(r, 'out')).toEqual([
      [0, 0, 0],
      [1, 1, 1],
      [2, 2, 2],
    ]);
    expect(r.error!.message).toBe('Missing data on the following output(s): out');
  });
});

describe('analyzers (§5)', () => {
  const analyzer = {
    language: 'javascript',
    groups: [{ inputs: { in: { type: INT } } }],
    results: {
      sum: { type: 'int32', display: true },
      mean: { type: 'float32', display: true },
      values: { type: 'plot/scatter/1' },
    },
  };

  class SumAnalyzer implements LegacyAnalyzer {
    values: number[] = [];
    process(inputs: InputList, output: Output): boolean {
      this.values.push(v(inputs, 'in'));
      if (!inputs.hasMoreData()) {
        const sum = this.values.reduce((a, b) => a + b, 0);
        output.write({
          sum,
          mean: sum / this.values.length,
          values: { data: [{ label: 'in', x: this.values.map((_, i) => i), y: this.values }] },
        });
      }
      return true;
    }
  }

  it('accumulates and writes its result once: one unit [0, last]', async () => {
    const r = await run({ declaration: analyzer, algorithm: SumAnalyzer, inputs: { in: integers(singles(4), 1) }, name: 'user/sum/1' });
    expect(r.error).toBeNull();
    expect(r.processCalls).toBe(4);
    expect(r.result).toEqual({
      data: {
        sum: 10,
        mean: 2.5,
        values: { data: [{ label: 'in', x: ndarray('float64', [4], [0, 1, 2, 3]), y: ndarray('float64', [4], [1, 2, 3, 4]) }] },
      },
      start: 0,
      end: 3,
      display: { sum: true, mean: true, values: false },
    });
    expect(r.outputs.result).toHaveLength(1);
  });

  it('a result that is never written: "Missing data on the following output(s): result"', async () => {
    class Silent {
      process(): boolean {
        return true;
      }
    }
    const r = await run({ declaration: analyzer, algorithm: Silent, inputs: { in: integers(singles(2)) } });
    expect([r.error!.message, r.result]).toEqual(['Missing data on the following output(s): result', null]);
  });

  it('results are checked strictly against the synthesized result format', async () => {
    class Incomplete {
      process(_inputs: InputList, output: Output): boolean {
        output.write({ sum: 1, mean: 1 });
        return true;
      }
    }
    const r = await run({ declaration: analyzer, algorithm: Incomplete, inputs: { in: integers(singles(2)) } });
    expect([r.error!.code, r.error!.message]).toEqual(['E_FORMAT_ATTRIBUTES', "field 'values': missing"]);
  });

  it('an autonomous analyzer writes its result with an explicit end index', async () => {
    class AutoSum {
      process(loaders: DataLoaderList, output: Output): boolean {
        const l = loaders.mainLoader!;
        let sum = 0;
        for (let i = 0; i < l.count(); i++) sum += (l.get(i)[0]!.in as V).value;
        output.write({ sum, mean: sum / l.count(), values: { data: [] } }, l.dataIndexEnd);
        return true;
      }
    }
    const r = await run({ declaration: { ...analyzer, api_version: 2, type: 'autonomous' }, algorithm: AutoSum, inputs: { in: integers(singles(5), 1) } });
    expect(r.result).toMatchObject({ data: { sum: 15, mean: 3 }, start: 0, end: 4 });
  });
});

describe("the seed's figures", () => {
  const image = (k: number): NDArray<'uint8'> => ndarray('uint8', [2, 2], [k, k, k, k]);
  const images: DataStream = singles(6).map(([s, e], k) => ({ data: { value: image(k) }, start: s, end: e }));
  const labels = integers(
    [
      [0, 2],
      [3, 5],
    ],
    0,
    [7, 9],
  );

  it('Fig. 3: block A (images + labels) runs 6 times, block B (labels) 2 times; their outputs feed block C', async () => {
    const aCalls: unknown[] = [];
    class BlockA {
      process(inputs: InputList, outputs: OutputList): boolean {
        const img = (inputs.get('images')!.data as { value: NDArray }).value;
        const label = inputs.get('labels')!;
        aCalls.push([inputs.currentDataIndex, (label.data as V).value, label.hasDataChanged(), label.isDataUnitDone()]);
        outputs.get('features')!.write({ value: [img.data[0]! * 10 + (label.data as V).value] });
        return true;
      }
    }
    class BlockB {
      process(inputs: InputList, outputs: OutputList): boolean {
        outputs.get('count')!.write({ value: (inputs.get('labels')!.data as V).value * 100 });
        return true;
      }
    }
    const a = await run({
      declaration: decl({}, [
        { inputs: { images: { type: 'system/array_2d_uint8/1' }, labels: { type: INT } }, outputs: { features: { type: 'system/array_1d_floats/1' } } },
      ]),
      algorithm: BlockA,
      inputs: { images, labels },
    });
    const b = await run({
      declaration: decl({}, [{ inputs: { labels: { type: INT } }, outputs: { count: { type: INT } } }]),
      algorithm: BlockB,
      inputs: { labels },
    });
    expect([a.ok, a.processCalls, b.ok, b.processCalls]).toEqual([true, 6, true, 2]);
    expect(aCalls).toEqual([
      [0, 7, true, false],
      [1, 7, false, false],
      [2, 7, false, true],
      [3, 9, true, false],
      [4, 9, false, false],
      [5, 9, false, true],
    ]);
    expect(a.outputs.features!.map((u) => [Array.from((u.data.value as NDArray).data), u.start, u.end])).toEqual(
      [7, 17, 27, 39, 49, 59].map((f, i) => [[f], i, i]),
    );
    expect(units(b, 'count')).toEqual([
      [700, 0, 2],
      [900, 3, 5],
    ]);

    // Chained by hand: C reads A's features (6 units) and B's counts (2 units) on one channel.
    class BlockC {
      process(inputs: InputList, outputs: OutputList): boolean {
        const f = (inputs.get('features')!.data as { value: NDArray }).value.data[0]!;
        outputs.get('sum')!.write({ value: f + v(inputs, 'count') });
        return true;
      }
    }
    const c = await run({
      declaration: decl({}, [{ inputs: { features: { type: 'system/array_1d_floats/1' }, count: { type: INT } }, outputs: { sum: { type: INT } } }]),
      algorithm: BlockC,
      inputs: { features: a.outputs.features!, count: b.outputs.count! },
    });
    expect(c.processCalls).toBe(6);
    expect(units(c, 'sum')).toEqual([
      [707, 0, 0],
      [717, 1, 1],
      [727, 2, 2],
      [939, 3, 3],
      [949, 4, 4],
      [959, 5, 5],
    ]);
  });

  it('Fig. 6: write(null) for 2 of 6 images → 4 blocks out; downstream runs 4 times', async () => {
    class Skipping {
      process(inputs: InputList, outputs: OutputList): boolean {
        const img = (inputs.get('images')!.data as { value: NDArray }).value;
        const canCompute = img.data[0]! % 3 !== 1; // images 1 and 4 cannot be computed
        outputs.get('features')!.write(canCompute ? { value: [img.data[0]!] } : null);
        return true;
      }
    }
    const r = await run({
      declaration: decl({}, [
        { inputs: { images: { type: 'system/array_2d_uint8/1' }, labels: { type: INT } }, outputs: { features: { type: 'system/array_1d_floats/1' } } },
      ]),
      algorithm: Skipping,
      inputs: { images, labels },
    });
    expect([r.ok, r.processCalls]).toEqual([true, 6]);
    expect(r.outputs.features!.map((u) => [(u.data.value as NDArray).data[0], u.start, u.end])).toEqual([
      [0, 0, 0],
      [2, 2, 2],
      [3, 3, 3],
      [5, 5, 5],
    ]);
    expect(r.skipped.features).toEqual([
      { start: 1, end: 1 },
      { start: 4, end: 4 },
    ]);
    class Downstream {
      process(inputs: InputList, outputs: OutputList): boolean {
        outputs.get('out')!.write({ value: inputs.currentDataIndex });
        return true;
      }
    }
    const d = await run({
      declaration: decl({}, [{ inputs: { features: { type: 'system/array_1d_floats/1' } }, outputs: { out: { type: INT } } }]),
      algorithm: Downstream,
      inputs: { features: r.outputs.features! },
    });
    expect([d.ok, d.processCalls]).toEqual([true, 4]);
    expect(units(d, 'out')).toEqual([
      [0, 0, 0],
      [2, 1, 2],
      [3, 3, 3],
      [5, 4, 5],
    ]);
  });
});

describe('split runs (§10)', () => {
  // A splittable block on images (one index each) and labels (three indices each) with a secondary
  // legacy group: every part must read the whole secondary channel.
  const declaration = decl({ splittable: true }, [
    { inputs: { images: { type: INT }, labels: { type: INT } }, outputs: { out: { type: INT }, per_label: { type: INT } } },
    { name: 'side', inputs: { offset: { type: INT } } },
  ]);
  class Splittable {
    offset: number | null = null;
    process(inputs: InputList, outputs: OutputList): boolean {
      if (this.offset === null) {
        const side = inputs.groupOf('offset')!;
        while (side.hasMoreData()) side.next();
        this.offset = (side.get('offset')!.data as V).value;
      }
      const label = inputs.get('labels')!;
      outputs.get('out')!.write(v(inputs, 'images') % 4 === 3 ? null : { value: v(inputs, 'images') * (label.data as V).value + this.offset });
      if (label.isDataUnitDone()) outputs.get('per_label')!.write({ value: label.dataIndex });
      return true;
    }
  }
  const inputs = {
    images: integers(singles(12), 1),
    labels: integers(
      [
        [0, 2],
        [3, 5],
        [6, 8],
        [9, 11],
      ],
      0,
      [2, 3, 5, 7],
    ),
    offset: integers(singles(2), 0, [500, 1000]),
  };

  it('splitRange cuts only at ends common to every synchronization input, balanced by units', () => {
    expect(splitRange([inputs.images, inputs.labels], 2)).toEqual([
      [0, 5],
      [6, 11],
    ]);
    expect(splitRange([inputs.images, inputs.labels], 3)).toEqual([
      [0, 2],
      [3, 8],
      [9, 11],
    ]);
    expect(splitRange([inputs.images, inputs.labels], 4)).toEqual([
      [0, 2],
      [3, 5],
      [6, 8],
      [9, 11],
    ]);
    expect(splitRange([inputs.images, inputs.labels], 10)).toEqual([
      [0, 2],
      [3, 5],
      [6, 8],
      [9, 11],
    ]);
    expect(splitRange([inputs.images], 5)).toEqual([
      [0, 1],
      [2, 4],
      [5, 6],
      [7, 9],
      [10, 11],
    ]);
    expect(splitRange([inputs.images], 1)).toEqual([[0, 11]]);
    expect(splitRange([[]], 3)).toEqual([]);
    expect(() => splitRange([inputs.images], 0)).toThrow('cannot split into 0 parts (expected a positive integer)');
  });

  it('the split run gives exactly the unsplit run (2, 3 and 4 parts)', async () => {
    const whole = await run({ declaration, algorithm: Splittable, inputs });
    expect(whole.error).toBeNull();
    expect(whole.processCalls).toBe(12);
    expect(units(whole, 'per_label')).toEqual([
      [0, 0, 2],
      [3, 3, 5],
      [6, 6, 8],
      [9, 9, 11],
    ]);
    expect(units(whole, 'out')).toHaveLength(9);
    for (const parts of [2, 3, 4]) {
      const split = await executeSplit({ declaration, algorithm: Splittable, inputs, dataFormats: formats }, parts);
      expect(split.error).toBeNull();
      expect(split.ranges).toEqual(splitRange([inputs.images, inputs.labels], parts));
      expect(split.parts).toHaveLength(parts);
      expect(split.outputs).toEqual(whole.outputs);
      expect(split.skipped).toEqual(whole.skipped);
      expect([split.ok, split.processCalls, split.range, split.warnings]).toEqual([true, 12, [0, 11], whole.warnings]);
      // Each part starts its outputs at its range start.
      expect(split.parts.map((p) => p.outputs.per_label![0]!.start)).toEqual(split.ranges.map((r) => r[0]));
    }
  });

  it('refuses algorithms that are not splittable; merges refuse overlapping parts', async () => {
    const r = await executeSplit(
      { declaration: decl(), algorithm: LegacyEcho, inputs: { in: integers(singles(4)) }, name: 'user/echo/1', dataFormats: formats },
      2,
    );
    expect(r.error).toEqual({ code: 'E_NOT_SPLITTABLE', message: "algorithm `user/echo/1' is not splittable", stage: 'declaration', details: [] });
    const part = await run({ declaration: decl(), algorithm: LegacyEcho, inputs: { in: integers(singles(2)) } });
    expect(() => mergeSplitRuns([part, part])).toThrow("output 'out': a unit [0, 0] overlaps or precedes the previous part's unit [1, 1]");
  });

  it('a range run keeps only the synchronization units inside it; outputs start at the range start', async () => {
    const r = await run({
      declaration: decl({ splittable: true }),
      algorithm: LegacyEcho,
      inputs: {
        in: integers(
          [
            [0, 1],
            [2, 3],
            [4, 5],
          ],
          10,
        ),
      },
      range: [2, 4],
    });
    // [4, 5] is not inside [2, 4]: only [2, 3] remains.
    expect([r.ok, r.processCalls, r.range]).toEqual([true, 1, [2, 4]]);
    expect(units(r, 'out')).toEqual([[11, 2, 3]]);
  });
});
