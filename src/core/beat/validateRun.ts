// Page-side check of a BlockRun that comes back from a block worker (issue 7). A worker runs block
// code, so what it returns is untrusted: a user block (or a bug) could return outputs the
// declaration does not have, data that is not of the declared format, indices out of order, a
// forged analyzer result, counts that are not counts, or objects carrying `__proto__` keys.
// `validateBlockRun` checks every part strictly and returns a run REBUILT from the checked parts
// (unit data converted with `convertData`, which copies arrays and keeps only declared fields), or
// throws E_INVALID_RUN naming the block, the place, the value and what was expected. Pure TS.

import { BeatError } from './errors';
import { convertData, DataFormatRegistry, showValue, type Data, type DataFormat } from './dataFormats';
import { resultFormatDeclaration, type AlgorithmDeclaration } from './declaration';
import type { AnalyzerResult, BlockRun, BlockRunError, BlockStage } from './executeBlock';
import type { DataUnit } from './streams';
import { isStagedArrayRef } from './lazyUnits';
import { thrownMessage } from '../describeValue';

/** Most warnings a run may carry, and the longest one (the engine makes one or two short ones). */
export const MAX_RUN_WARNINGS = 100;
export const MAX_WARNING_LENGTH = 10_000;
/** Error details: most entries and the longest one. */
export const MAX_ERROR_DETAILS = 100;
/** A longer error message (whatever the algorithm threw) is cut to this length. */
export const MAX_ERROR_MESSAGE_LENGTH = 10_000;
/** Deepest nesting of objects and arrays accepted anywhere in a run. */
export const MAX_RUN_DEPTH = 64;
/** Most values (objects, arrays and their entries; a typed array counts once) walked in a run. */
export const MAX_RUN_VALUES = 1_000_000;

const RUN_KEYS = ['ok', 'error', 'outputs', 'skipped', 'result', 'processCalls', 'warnings', 'range'] as const;
const UNIT_KEYS = ['data', 'start', 'end'] as const;
const ERROR_KEYS = ['code', 'message', 'stage', 'details'] as const;
const RESULT_KEYS = ['data', 'start', 'end', 'display'] as const;
const STAGES: readonly BlockStage[] = ['declaration', 'inputs', 'setup', 'prepare', 'process', 'outputs'];
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const ERROR_CODE_RE = /^E_[A-Z0-9_]{1,60}$/;

export interface ValidateRunOptions {
  /** The block (installed block id) named in messages. */
  block: string;
  /** The block's parsed declaration. */
  declaration: AlgorithmDeclaration;
  /** The job's range (one part of a split run), or null: the run must say the same. */
  range: readonly [number, number] | null;
  /** Data formats (default: the built-in catalogue, as the block workers use). */
  dataFormats?: DataFormatRegistry;
}

class Invalid extends Error {}

function isPlain(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A value for messages: numbers as written, strings quoted (cut), other things by kind. */
function show(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (isPlain(v)) {
    const keys = Object.keys(v);
    return keys.length
      ? `an object with ${keys
          .slice(0, 8)
          .map((k) => `'${k.slice(0, 40)}'`)
          .join(', ')}${keys.length > 8 ? ', …' : ''}`
      : 'an empty object';
  }
  return showValue(v);
}

/**
 * Refuse `__proto__`, `constructor` and `prototype` keys in every plain object and array (typed arrays
 * are not walked), cycles, deep nesting, and more than MAX_RUN_VALUES values. Walked as a tree, so a
 * value shared many times counts every time: what convertData walks next is bounded by this budget.
 */
function checkKeys(root: unknown): void {
  const ancestors = new Set<object>();
  const keys: (string | number)[] = []; // the path, built into text only for a message
  const at = (): string => keys.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : `${p}.${k}`), 'run');
  let values = 0;
  const walk = (value: unknown, depth: number): void => {
    if (++values > MAX_RUN_VALUES) throw new Invalid(`${at()}: more than ${MAX_RUN_VALUES} values in the run`);
    if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
    if (!Array.isArray(value) && !isPlain(value)) return; // refused below where it is not expected
    if (ancestors.has(value)) throw new Invalid(`${at()}: a value contains itself (cycle)`);
    if (depth >= MAX_RUN_DEPTH) throw new Invalid(`${at()}: nested deeper than ${MAX_RUN_DEPTH} levels`);
    ancestors.add(value);
    for (const k of FORBIDDEN_KEYS) if (Object.hasOwn(value, k)) throw new Invalid(`${at()}: the key '${k}' is not allowed`);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        keys.push(i);
        walk(value[i], depth + 1);
        keys.pop();
      }
    } else {
      for (const k of Object.keys(value)) {
        keys.push(k);
        walk((value as Record<string, unknown>)[k], depth + 1);
        keys.pop();
      }
    }
    ancestors.delete(value);
  };
  walk(root, 0);
}

function exactKeys(value: unknown, keys: readonly string[], path: string, what: string): Record<string, unknown> {
  if (!isPlain(value)) throw new Invalid(`${path}: expected ${what}, got ${show(value)}`);
  const extra = Object.keys(value).filter((k) => !keys.includes(k));
  if (extra.length)
    throw new Invalid(`${path}: unexpected propert${extra.length > 1 ? 'ies' : 'y'} ${extra.map((k) => `'${k.slice(0, 40)}'`).join(', ')} (expected ${what})`);
  const missing = keys.filter((k) => !Object.hasOwn(value, k));
  if (missing.length) throw new Invalid(`${path}: missing ${missing.map((k) => `'${k}'`).join(', ')} (expected ${what})`);
  return value;
}

function index(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Invalid(`${path}: expected a safe non-negative integer, got ${show(v)}`);
  return v;
}

function interval(start: unknown, end: unknown, path: string): [number, number] {
  const s = index(start, `${path}.start`);
  const e = index(end, `${path}.end`);
  if (s > e) throw new Invalid(`${path}: start ${s} is after end ${e}`);
  return [s, e];
}

function convertUnitData(format: DataFormat, data: unknown, where: string): Data {
  try {
    return convertData(format, data);
  } catch (e) {
    throw new Invalid(`${where} is not ${format.name}: ${thrownMessage(e)}`);
  }
}

/** A lazy output's unit data: exactly one staged array ref `{kind: 'array', staged}` per field (the engine checks the handles). */
function lazyUnitData(format: DataFormat, data: unknown, where: string): Data {
  const names = format.root.fields.map((f) => f.name);
  const o = exactKeys(data, names, `${where} data`, `one output array {kind: 'array', staged} per field of '${format.name}'`);
  const out: Data = {};
  for (const n of names) {
    const ref = o[n];
    if (!isStagedArrayRef(ref) || ref.staged.length === 0 || ref.staged.length > 200) {
      throw new Invalid(`${where} field '${n}': expected an output array {kind: 'array', staged: <handle>}, got ${show(ref)}`);
    }
    out[n] = { kind: 'array', staged: ref.staged };
  }
  return out;
}

function units(value: unknown, output: string, format: DataFormat, lazy = false): DataUnit<Data>[] {
  const path = `output '${output}'`;
  if (!Array.isArray(value)) throw new Invalid(`${path}: expected an array of data units {data, start, end}, got ${show(value)}`);
  const out: DataUnit<Data>[] = [];
  let previousEnd = -1;
  value.forEach((u: unknown, i) => {
    const where = `${path} unit ${i}`;
    const unit = exactKeys(u, UNIT_KEYS, where, 'a data unit {data, start, end}');
    const [start, end] = interval(unit.start, unit.end, where);
    if (start <= previousEnd)
      throw new Invalid(`${where} [${start}, ${end}]: it overlaps or precedes the previous unit, which ends at ${previousEnd} (units must be in index order)`);
    previousEnd = end;
    const at = `${where} [${start}, ${end}]`;
    out.push({ data: lazy ? lazyUnitData(format, unit.data, at) : convertUnitData(format, unit.data, at), start, end });
  });
  return out;
}

function strings(value: unknown, path: string, maxCount: number, maxLength: number): string[] {
  if (!Array.isArray(value)) throw new Invalid(`${path}: expected an array of strings, got ${show(value)}`);
  if (value.length > maxCount) throw new Invalid(`${path}: ${value.length} entries, at most ${maxCount} are accepted`);
  return value.map((w: unknown, i) => {
    if (typeof w !== 'string') throw new Invalid(`${path}[${i}]: expected a string, got ${show(w)}`);
    if (w.length > maxLength) throw new Invalid(`${path}[${i}]: a string of ${w.length} characters, at most ${maxLength} are accepted`);
    return w;
  });
}

function runError(value: unknown): BlockRunError | null {
  if (value === null) return null;
  const e = exactKeys(value, ERROR_KEYS, 'error', 'null or an error {code, message, stage, details}');
  if (typeof e.code !== 'string' || !ERROR_CODE_RE.test(e.code)) throw new Invalid(`error.code: expected an error code (E_ and capitals), got ${show(e.code)}`);
  if (typeof e.message !== 'string') throw new Invalid(`error.message: expected a string, got ${show(e.message)}`);
  if (typeof e.stage !== 'string' || !(STAGES as readonly string[]).includes(e.stage)) {
    throw new Invalid(`error.stage: expected one of ${STAGES.join(', ')}, got ${show(e.stage)}`);
  }
  const message = e.message.length > MAX_ERROR_MESSAGE_LENGTH ? `${e.message.slice(0, MAX_ERROR_MESSAGE_LENGTH)}…` : e.message;
  return {
    code: e.code as BlockRunError['code'],
    message,
    stage: e.stage as BlockStage,
    details: strings(e.details, 'error.details', MAX_ERROR_DETAILS, MAX_WARNING_LENGTH),
  };
}

function analyzerResult(value: unknown, declaration: AlgorithmDeclaration, format: DataFormat | null): AnalyzerResult | null {
  if (value === null) return null;
  if (!declaration.isAnalyzer || !format) throw new Invalid(`result: expected null (the block is not an analyzer), got ${show(value)}`);
  const r = exactKeys(value, RESULT_KEYS, 'result', 'null or an analyzer result {data, start, end, display}');
  const [start, end] = interval(r.start, r.end, 'result');
  const display = Object.fromEntries(declaration.results!.map((x) => [x.name, x.display]));
  const given = exactKeys(r.display, Object.keys(display), 'result.display', `the declared results' display flags {${Object.keys(display).join(', ')}}`);
  for (const [k, v] of Object.entries(display)) {
    if (given[k] !== v) throw new Invalid(`result.display.${k}: expected boolean ${v} (as declared), got ${show(given[k])}`);
  }
  return { data: convertUnitData(format, r.data, 'result'), start, end, display };
}

/**
 * Check a run returned by a block worker against the block's declaration and the job; returns a
 * fresh run built from the checked parts. Throws BeatError E_INVALID_RUN:
 * "the run of block 'B' is invalid: output 'y' unit 0 [0, 0] is not system/int32/1: field 'value': expected int32, got 1.5".
 */
export function validateBlockRun(run: unknown, opts: ValidateRunOptions): BlockRun {
  try {
    return check(run, opts);
  } catch (e) {
    if (!(e instanceof Invalid) && !(e instanceof BeatError)) throw e;
    throw new BeatError('E_INVALID_RUN', `the run of block '${opts.block}' is invalid: ${e.message}`);
  }
}

function check(value: unknown, opts: ValidateRunOptions): BlockRun {
  const { declaration } = opts;
  checkKeys(value);
  const run = exactKeys(value, RUN_KEYS, 'run', 'a block run');
  if (typeof run.ok !== 'boolean') throw new Invalid(`ok: expected a boolean, got ${show(run.ok)}`);
  const error = runError(run.error);
  if (run.ok && error) throw new Invalid(`error: a successful run (ok: true) has no error, got ${show(run.error)}`);
  if (!run.ok && !error) throw new Invalid('error: a failed run (ok: false) must say why, got null');

  const expected = opts.range ? `[${opts.range[0]}, ${opts.range[1]}]` : 'null';
  const r = run.range;
  const sameRange = opts.range === null ? r === null : Array.isArray(r) && r.length === 2 && r[0] === opts.range[0] && r[1] === opts.range[1];
  if (!sameRange) throw new Invalid(`range: expected ${expected} (the job's range), got ${Array.isArray(r) ? `[${r.map(show).join(', ')}]` : show(r)}`);

  const registry = opts.dataFormats ?? new DataFormatRegistry();
  const formats = new Map<string, DataFormat>();
  let resultFormat: DataFormat | null = null;
  if (declaration.isAnalyzer) {
    resultFormat = registry.compile(`analysis:${opts.block}`, resultFormatDeclaration(declaration));
    formats.set('result', resultFormat);
  } else {
    for (const o of declaration.groups[0]!.outputs) {
      if (FORBIDDEN_KEYS.has(o.name)) throw new Invalid(`the output name '${o.name}' is not allowed`);
      formats.set(o.name, registry.get(o.type));
    }
  }
  const declared = [...formats.keys()];
  const lazyOutputs = new Set(declaration.isAnalyzer ? [] : declaration.groups[0]!.outputs.filter((o) => o.lazy).map((o) => o.name));
  const declaredList = declared.length ? declared.join(', ') : 'none';

  const outputsIn = exactKeys(run.outputs, Object.keys(isPlain(run.outputs) ? run.outputs : {}), 'outputs', 'an object of output name → data units');
  const outputs: Record<string, DataUnit<Data>[]> = {};
  for (const name of Object.keys(outputsIn)) {
    const format = formats.get(name);
    if (!format) throw new Invalid(`outputs: '${name.slice(0, 80)}' is not a declared output (declared: ${declaredList})`);
    outputs[name] = units(outputsIn[name], name, format, lazyOutputs.has(name));
  }
  if (run.ok) {
    const missing = declared.filter((n) => !Object.hasOwn(outputsIn, n));
    if (missing.length) throw new Invalid(`outputs: a successful run has no units list for ${missing.map((n) => `'${n}'`).join(', ')}`);
  }

  const skippedIn = exactKeys(run.skipped, Object.keys(isPlain(run.skipped) ? run.skipped : {}), 'skipped', 'an object of output name → skipped intervals');
  const skipped: Record<string, { start: number; end: number }[]> = {};
  for (const name of Object.keys(skippedIn)) {
    if (!formats.has(name)) throw new Invalid(`skipped: '${name.slice(0, 80)}' is not a declared output (declared: ${declaredList})`);
    const list = skippedIn[name];
    if (!Array.isArray(list)) throw new Invalid(`skipped '${name}': expected an array of intervals {start, end}, got ${show(list)}`);
    skipped[name] = list.map((x: unknown, i) => {
      const where = `skipped '${name}' interval ${i}`;
      const o = exactKeys(x, ['start', 'end'], where, 'an interval {start, end}');
      const [start, end] = interval(o.start, o.end, where);
      return { start, end };
    });
  }

  const result = analyzerResult(run.result, declaration, resultFormat);
  const processCalls = index(run.processCalls, 'processCalls');
  const warnings = strings(run.warnings, 'warnings', MAX_RUN_WARNINGS, MAX_WARNING_LENGTH);
  return {
    ok: run.ok,
    error,
    outputs,
    skipped,
    result,
    processCalls,
    warnings,
    range: opts.range ? [opts.range[0], opts.range[1]] : null,
  };
}
