// validateBlockRun (src/core/beat/validateRun.ts): the page's check of every BlockRun a block worker
// returns. Real runs pass and come back rebuilt; forged ones fail with messages naming the block, the
// place, the value and what was expected.
import { describe, expect, it } from 'vitest';
import {
  BeatError,
  executeBlock,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_RUN_DEPTH,
  MAX_RUN_WARNINGS,
  parseDeclaration,
  validateBlockRun,
  type AlgorithmClass,
  type BlockRun,
} from '../../src/core/beat';

const BLOCK = parseDeclaration({
  language: 'javascript',
  api_version: 2,
  type: 'sequential',
  splittable: true,
  groups: [{ inputs: { x: { type: 'system/int32/1' } }, outputs: { mask: { type: 'system/array_2d_uint8/1' }, n: { type: 'system/int32/1' } } }],
});

const ANALYZER = parseDeclaration({
  language: 'javascript',
  api_version: 2,
  type: 'sequential',
  groups: [{ inputs: { x: { type: 'system/int32/1' } } }],
  results: { total: { type: 'int32', display: true }, plot: { type: 'plot/bar/1' } },
});

const P = "the run of block 'user/b/1' is invalid: ";

// Forged runs are built by hand.
type Forged = any;

function good(): Forged {
  return {
    ok: true,
    error: null,
    outputs: {
      mask: [
        { data: { value: { dtype: 'uint8', shape: [2, 2], data: new Uint8Array([0, 1, 2, 3]) } }, start: 0, end: 0 },
        { data: { value: { dtype: 'uint8', shape: [1, 1], data: new Uint8Array([9]) } }, start: 1, end: 2 },
      ],
      n: [
        { data: { value: 4 }, start: 0, end: 0 },
        { data: { value: 1 }, start: 1, end: 2 },
      ],
    },
    skipped: { mask: [], n: [] },
    result: null,
    processCalls: 2,
    warnings: [],
    range: null,
  };
}

function check(run: unknown, range: [number, number] | null = null, declaration = BLOCK): BlockRun {
  return validateBlockRun(run, { block: 'user/b/1', declaration, range });
}

/** The message of the E_INVALID_RUN error that validating `f(good())` throws. */
function problem(f: (r: Forged) => unknown, range: [number, number] | null = null, declaration = BLOCK): string {
  try {
    check(f(good()), range, declaration);
  } catch (e) {
    expect(e).toBeInstanceOf(BeatError);
    expect((e as BeatError).code).toBe('E_INVALID_RUN');
    return (e as Error).message;
  }
  throw new Error('the run was accepted');
}

describe('validateBlockRun', () => {
  it('accepts real runs (block, split part, analyzer, failed run) and returns them rebuilt', async () => {
    const cls = class {
      process(i: Forged, _loaders: unknown, o: Forged) {
        const v = i.get('x').data.value as number;
        o.get('mask').write({ value: { dtype: 'uint8', shape: [1, 2], data: new Uint8Array([v, v + 1]) } });
        o.get('n').write({ value: v });
        return true;
      }
    } as unknown as AlgorithmClass;
    const inputs = { x: [0, 1, 2, 3].map((k) => ({ data: { value: k * 10 }, start: k, end: k })) };
    const run = await executeBlock({ declaration: BLOCK, algorithm: cls, name: 'user/b/1', inputs });
    expect(run.ok).toBe(true);
    const checked = check(run);
    expect(checked).toEqual(run);
    expect(checked.outputs.mask![0]!.data.value).not.toBe(run.outputs.mask![0]!.data.value); // arrays are copies
    const part = await executeBlock({ declaration: BLOCK, algorithm: cls, name: 'user/b/1', inputs, range: [2, 3] });
    expect(check(part, [2, 3])).toEqual(part);

    const analyzer = class {
      process(i: Forged, _loaders: unknown, o: Forged) {
        if (!i.hasMoreData()) o.write({ total: 3, plot: { data: [{ label: 'a', x: new Float64Array([0]), y: new Float64Array([3]) }] } });
        return true;
      }
    } as unknown as AlgorithmClass;
    const a = await executeBlock({ declaration: ANALYZER, algorithm: analyzer, name: 'user/b/1', inputs });
    expect(a.ok).toBe(true);
    expect(a.result).not.toBeNull();
    expect(check(a, null, ANALYZER)).toEqual(a);

    const failing = class {
      process() {
        throw new Error('boom');
      }
    } as unknown as AlgorithmClass;
    const f = await executeBlock({ declaration: BLOCK, algorithm: failing, name: 'user/b/1', inputs });
    expect(f.ok).toBe(false);
    expect(check(f)).toEqual(f);
  });

  it('outputs: only declared names, every one on a successful run, each unit strictly of its format', () => {
    expect(problem((r) => ({ ...r, outputs: { ...r.outputs, extra: [] } }))).toBe(`${P}outputs: 'extra' is not a declared output (declared: mask, n)`);
    expect(problem((r) => ({ ...r, outputs: { mask: r.outputs.mask } }))).toBe(`${P}outputs: a successful run has no units list for 'n'`);
    expect(problem((r) => ({ ...r, outputs: [] }))).toBe(`${P}outputs: expected an object of output name → data units, got an array of 0`);
    expect(problem((r) => ((r.outputs.n = { length: 1 }), r))).toBe(
      `${P}output 'n': expected an array of data units {data, start, end}, got an object with 'length'`,
    );
    // Wrong dtype, a typed array that does not match its dtype, a shape that does not match the data, a wrong rank.
    expect(problem((r) => ((r.outputs.mask[0].data.value = { dtype: 'float64', shape: [2, 2], data: new Float64Array(4) }), r))).toBe(
      `${P}output 'mask' unit 0 [0, 0] is not system/array_2d_uint8/1: field 'value': cannot safely cast an array of float64 to uint8`,
    );
    expect(problem((r) => ((r.outputs.mask[0].data.value.data = new Float64Array(4)), r))).toBe(
      `${P}output 'mask' unit 0 [0, 0] is not system/array_2d_uint8/1: field 'value': data for dtype uint8 must be a Uint8Array, got Float64Array(4)`,
    );
    expect(problem((r) => ((r.outputs.mask[1].data.value.shape = [1000, 1000]), r))).toBe(
      `${P}output 'mask' unit 1 [1, 2] is not system/array_2d_uint8/1: field 'value': data has 1 elements but shape [1000, 1000] needs 1000000`,
    );
    expect(problem((r) => ((r.outputs.mask[0].data.value = { dtype: 'uint8', shape: [4], data: new Uint8Array(4) }), r))).toBe(
      `${P}output 'mask' unit 0 [0, 0] is not system/array_2d_uint8/1: field 'value': expected 2 dimension(s), got 1 (shape [4])`,
    );
    // Scalars: lossy values, strings, missing and undeclared fields.
    expect(problem((r) => ((r.outputs.n[1].data.value = 1.5), r))).toBe(
      `${P}output 'n' unit 1 [1, 2] is not system/int32/1: field 'value': expected int32, got 1.5`,
    );
    expect(problem((r) => ((r.outputs.n[1].data.value = 2 ** 40), r))).toBe(
      `${P}output 'n' unit 1 [1, 2] is not system/int32/1: field 'value': expected int32, got 1099511627776`,
    );
    expect(problem((r) => ((r.outputs.n[0].data = { value: 1, stolen: 'x' }), r))).toBe(
      `${P}output 'n' unit 0 [0, 0] is not system/int32/1: field 'stolen': not declared by data format 'system/int32/1'`,
    );
    expect(problem((r) => ((r.outputs.n[0].data = {}), r))).toBe(`${P}output 'n' unit 0 [0, 0] is not system/int32/1: field 'value': missing`);
    expect(problem((r) => ((r.outputs.n[0].data = 'x'), r))).toBe(
      `${P}output 'n' unit 0 [0, 0] is not system/int32/1: expected an object of data format 'system/int32/1', got string "x"`,
    );
    // A unit that is not {data, start, end}.
    expect(problem((r) => ((r.outputs.n[0].extra = 1), r))).toBe(
      `${P}output 'n' unit 0: unexpected property 'extra' (expected a data unit {data, start, end})`,
    );
    expect(problem((r) => (delete r.outputs.n[0].end, r))).toBe(`${P}output 'n' unit 0: missing 'end' (expected a data unit {data, start, end})`);
  });

  it('indices: safe non-negative integers, start ≤ end, units in index order; the range is the job’s', () => {
    expect(problem((r) => ((r.outputs.n[0].start = -1), r))).toBe(`${P}output 'n' unit 0.start: expected a safe non-negative integer, got -1`);
    expect(problem((r) => ((r.outputs.n[0].end = 0.5), r))).toBe(`${P}output 'n' unit 0.end: expected a safe non-negative integer, got 0.5`);
    expect(problem((r) => ((r.outputs.n[0].end = 2 ** 53), r))).toBe(`${P}output 'n' unit 0.end: expected a safe non-negative integer, got 9007199254740992`);
    expect(problem((r) => ((r.outputs.n[0].start = '0'), r))).toBe(`${P}output 'n' unit 0.start: expected a safe non-negative integer, got string "0"`);
    expect(problem((r) => ((r.outputs.n[1].start = 3), r))).toBe(`${P}output 'n' unit 1: start 3 is after end 2`);
    expect(problem((r) => (r.outputs.n.reverse(), r))).toBe(
      `${P}output 'n' unit 1 [0, 0]: it overlaps or precedes the previous unit, which ends at 2 (units must be in index order)`,
    );
    expect(problem((r) => ((r.outputs.n[1].start = 0), r))).toBe(
      `${P}output 'n' unit 1 [0, 2]: it overlaps or precedes the previous unit, which ends at 0 (units must be in index order)`,
    );
    expect(problem((r) => r, [0, 2])).toBe(`${P}range: expected [0, 2] (the job's range), got null`);
    expect(problem((r) => ({ ...r, range: [0, 3] }), [0, 2])).toBe(`${P}range: expected [0, 2] (the job's range), got [0, 3]`);
    expect(problem((r) => ({ ...r, range: [0, 2] }))).toBe(`${P}range: expected null (the job's range), got [0, 2]`);
    expect(problem((r) => ((r.skipped.n = [{ start: 2, end: 1 }]), r))).toBe(`${P}skipped 'n' interval 0: start 2 is after end 1`);
    expect(problem((r) => ((r.skipped.other = []), r))).toBe(`${P}skipped: 'other' is not a declared output (declared: mask, n)`);
    expect(check({ ...good(), skipped: { n: [{ start: 3, end: 4 }] } }).skipped).toEqual({ n: [{ start: 3, end: 4 }] });
  });

  it('analyzer results match the declaration, or are null; a block has none', () => {
    const analyzerRun = (): Forged => ({
      ...good(),
      outputs: { result: [{ data: { total: 3, plot: { data: [] } }, start: 0, end: 2 }] },
      skipped: { result: [] },
      result: { data: { total: 3, plot: { data: [] } }, start: 0, end: 2, display: { total: true, plot: false } },
    });
    const a = (f: (r: Forged) => unknown) => problem(() => f(analyzerRun()), null, ANALYZER);
    expect(check(analyzerRun(), null, ANALYZER).result).toEqual({
      data: { total: 3, plot: { data: [] } },
      start: 0,
      end: 2,
      display: { total: true, plot: false },
    });
    expect(check({ ...analyzerRun(), result: null }, null, ANALYZER).result).toBeNull();
    expect(a((r) => ((r.result.data.total = 'three'), r))).toBe(`${P}result is not analysis:user/b/1: field 'total': expected int32, got string "three"`);
    expect(a((r) => ((r.result.data.extra = 1), r))).toBe(
      `${P}result is not analysis:user/b/1: field 'extra': not declared by data format 'analysis:user/b/1'`,
    );
    expect(a((r) => ((r.result.display.total = false), r))).toBe(`${P}result.display.total: expected boolean true (as declared), got boolean false`);
    expect(a((r) => ((r.result.display.more = true), r))).toBe(
      `${P}result.display: unexpected property 'more' (expected the declared results' display flags {total, plot})`,
    );
    expect(a((r) => ((r.result.end = -2), r))).toBe(`${P}result.end: expected a safe non-negative integer, got -2`);
    expect(a((r) => ({ ...r, outputs: { mask: [] } }))).toBe(`${P}outputs: 'mask' is not a declared output (declared: result)`);
    expect(problem((r) => ({ ...r, result: { data: {}, start: 0, end: 0, display: {} } }))).toBe(
      `${P}result: expected null (the block is not an analyzer), got an object with 'data', 'start', 'end', 'display'`,
    );
  });

  it('processCalls, warnings and error: counts, strings with caps, plain errors consistent with ok', () => {
    expect(problem((r) => ({ ...r, processCalls: -1 }))).toBe(`${P}processCalls: expected a safe non-negative integer, got -1`);
    expect(problem((r) => ({ ...r, processCalls: 2 ** 60 }))).toBe(`${P}processCalls: expected a safe non-negative integer, got 1152921504606847000`);
    expect(problem((r) => ({ ...r, processCalls: NaN }))).toBe(`${P}processCalls: expected a safe non-negative integer, got NaN`);
    expect(problem((r) => ({ ...r, warnings: 'careful' }))).toBe(`${P}warnings: expected an array of strings, got string "careful"`);
    expect(problem((r) => ({ ...r, warnings: ['ok', 7] }))).toBe(`${P}warnings[1]: expected a string, got 7`);
    expect(problem((r) => ({ ...r, warnings: Array.from({ length: MAX_RUN_WARNINGS + 1 }, () => 'w') }))).toBe(
      `${P}warnings: 101 entries, at most 100 are accepted`,
    );
    expect(problem((r) => ({ ...r, warnings: ['x'.repeat(10_001)] }))).toBe(`${P}warnings[0]: a string of 10001 characters, at most 10000 are accepted`);

    const failed = (error: unknown): Forged => ({ ...good(), ok: false, error });
    const err = { code: 'E_USER', message: 'boom', stage: 'process', details: [] };
    expect(check(failed(err)).error).toEqual(err);
    expect(problem(() => failed(null))).toBe(`${P}error: a failed run (ok: false) must say why, got null`);
    expect(problem((r) => ({ ...r, error: err }))).toBe(
      `${P}error: a successful run (ok: true) has no error, got an object with 'code', 'message', 'stage', 'details'`,
    );
    expect(problem((r) => ({ ...r, ok: 'yes' }))).toBe(`${P}ok: expected a boolean, got string "yes"`);
    expect(problem(() => failed('boom'))).toBe(`${P}error: expected null or an error {code, message, stage, details}, got string "boom"`);
    expect(problem(() => failed({ ...err, code: 'rm -rf' }))).toBe(`${P}error.code: expected an error code (E_ and capitals), got string "rm -rf"`);
    expect(problem(() => failed({ ...err, message: { toString: 1 } }))).toBe(`${P}error.message: expected a string, got an object with 'toString'`);
    expect(problem(() => failed({ ...err, stage: 'nowhere' }))).toBe(
      `${P}error.stage: expected one of declaration, inputs, setup, prepare, process, outputs, got string "nowhere"`,
    );
    expect(problem(() => failed({ ...err, details: [{}] }))).toBe(`${P}error.details[0]: expected a string, got an empty object`);
    expect(problem(() => failed({ ...err, stack: 'x' }))).toBe(
      `${P}error: unexpected property 'stack' (expected null or an error {code, message, stage, details})`,
    );
    // A long message (whatever the algorithm threw) is cut, not refused.
    const long = check(failed({ ...err, message: 'm'.repeat(MAX_ERROR_MESSAGE_LENGTH + 5) })).error!.message;
    expect(long).toBe(`${'m'.repeat(MAX_ERROR_MESSAGE_LENGTH)}…`);
  });

  it('the run itself: known properties only, no __proto__ / constructor / prototype keys, no cycles, bounded depth', () => {
    expect(problem((r) => ({ ...r, extra: 1 }))).toBe(`${P}run: unexpected property 'extra' (expected a block run)`);
    expect(problem((r) => (delete r.warnings, r))).toBe(`${P}run: missing 'warnings' (expected a block run)`);
    expect(problem(() => null)).toBe(`${P}run: expected a block run, got null`);
    expect(problem(() => new Map())).toBe(`${P}run: expected a block run, got Map`);
    // Own __proto__ keys (JSON.parse makes them, structured clone keeps them) anywhere: data, units, errors, outputs.
    const polluted = () => JSON.parse('{"__proto__": {"polluted": "yes"}, "value": 1}') as Forged;
    expect(problem((r) => ((r.outputs.n[0].data = polluted()), r))).toBe(`${P}run.outputs.n[0].data: the key '__proto__' is not allowed`);
    expect(problem((r) => ({ ...r, outputs: { ...r.outputs, ...JSON.parse('{"__proto__": []}') } }))).toBe(
      `${P}run.outputs: the key '__proto__' is not allowed`,
    );
    expect(
      problem((r) => ({
        ...r,
        ok: false,
        error: { code: 'E_USER', message: 'x', stage: 'process', details: [], constructor: { prototype: { polluted: 1 } } },
      })),
    ).toBe(`${P}run.error: the key 'constructor' is not allowed`);
    expect(problem((r) => ((r.outputs.mask[0].data.value.prototype = {}), r))).toBe(`${P}run.outputs.mask[0].data.value: the key 'prototype' is not allowed`);
    const arr: Forged = [];
    arr.constructor = 1;
    expect(problem((r) => ({ ...r, warnings: arr }))).toBe(`${P}run.warnings: the key 'constructor' is not allowed`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A cycle, and nesting deeper than MAX_RUN_DEPTH.
    expect(problem((r) => ((r.outputs.n[0].data.self = r.outputs.n[0].data), r))).toBe(`${P}run.outputs.n[0].data.self: a value contains itself (cycle)`);
    let deep: Forged = 1;
    for (let i = 0; i < MAX_RUN_DEPTH; i++) deep = [deep];
    expect(problem((r) => ({ ...r, warnings: deep }))).toMatch(
      new RegExp(`^${P.replace(/[()']/g, '.')}run\\.warnings(\\[0\\])+: nested deeper than 64 levels$`),
    );
    // A value shared many times counts every time (the walk is bounded, whatever the sharing).
    let shared: Forged = ['w'];
    for (let i = 0; i < 30; i++) shared = [shared, shared];
    expect(problem((r) => ({ ...r, warnings: shared }))).toMatch(/: more than 1000000 values in the run$/);
  });
});
