// The processor's side of a loop (reference §8 "Loop channel"): `loopChannel.validate(hypothesis)`
// converts the hypothesis to the loop's `request` format (strictly), sends it to the evaluator and
// returns `[isValid, answer]`, the answer converted to the `answer` format. The transport is where the
// evaluator is: in this thread (tests, executeLoopPair) or across workers through the engine. Before
// each process() call the evaluator hears where the processor's synchronization group is (`read`), and
// after it which outputs were written up to which index (`write`). Pure TS.

import { BeatError } from './errors';
import { convertData, type Data, type DataFormat } from './dataFormats';
import type { OutputList } from './outputs';
import { MemorySink } from './outputs';
import { thrownMessage } from '../describeValue';

/** How a loop channel reaches its evaluator. Every method may be async. */
export interface LoopTransport {
  /** The evaluator's `validate(request)`: `[isValid, answer]`. */
  validate(request: Data): Promise<[boolean, Data]> | [boolean, Data];
  /** The processor's synchronization group advanced to the interval [start, end]. */
  read(start: number, end: number): Promise<void> | void;
  /** The processor's output `output` wrote a unit ending at `end`. */
  write(output: string, end: number): Promise<void> | void;
}

/** What a `validate()` reply must be, in words (for messages). */
export const LOOP_REPLY_EXPECTS = 'a pair [isValid (boolean), answer (an object of the answer format)]';

/** Check an evaluator's reply `[bool, answer]` and convert the answer (strictly) to the answer format. */
export function checkLoopReply(reply: unknown, answerFormat: DataFormat, who: string): [boolean, Data] {
  if (!Array.isArray(reply) || reply.length !== 2 || typeof reply[0] !== 'boolean') {
    throw new BeatError('E_LOOP', `${who}: validate() must return ${LOOP_REPLY_EXPECTS}, got ${describeReply(reply)}`);
  }
  try {
    return [reply[0], convertData(answerFormat, reply[1])];
  } catch (e) {
    throw new BeatError('E_LOOP', `${who}: the answer is not ${answerFormat.name}: ${thrownMessage(e)}`);
  }
}

function describeReply(x: unknown): string {
  if (Array.isArray(x)) return `an array of ${x.length} item${x.length === 1 ? '' : 's'}${x.length === 2 ? ` whose first is ${typeof x[0]}` : ''}`;
  return x === null ? 'null' : typeof x;
}

export class LoopChannel {
  /** Number of `validate` calls so far. */
  nbRequests = 0;
  private readonly reported = new Map<string, number>();

  constructor(
    readonly requestFormat: DataFormat,
    readonly answerFormat: DataFormat,
    private readonly transport: LoopTransport,
  ) {}

  /** Ask the evaluator to validate `hypothesis` (an object of the request format): `[isValid, answer]`. */
  async validate(hypothesis: unknown): Promise<[boolean, Data]> {
    let request: Data;
    try {
      request = convertData(this.requestFormat, hypothesis);
    } catch (e) {
      throw new BeatError(
        (e as BeatError).code ?? 'E_FORMAT_CAST',
        `loopChannel.validate(): the hypothesis is not ${this.requestFormat.name}: ${thrownMessage(e)}`,
      );
    }
    this.nbRequests += 1;
    return checkLoopReply(await this.transport.validate(request), this.answerFormat, 'the loop evaluator');
  }

  /** Tell the evaluator the synchronization group's new interval (before a process() call). */
  async read(start: number, end: number): Promise<void> {
    await this.transport.read(start, end);
  }

  /** Tell the evaluator about every unit the outputs wrote since the last call, in output order. */
  async reportWrites(outputs: OutputList): Promise<void> {
    for (const o of outputs) {
      if (!(o.sink instanceof MemorySink)) continue;
      const units = o.sink.units;
      for (let k = this.reported.get(o.name) ?? 0; k < units.length; k++) await this.transport.write(o.name, units[k]!.end);
      this.reported.set(o.name, units.length);
    }
  }
}

/** The names of a function's parameters (from its source text; `...rest` is named `...rest`). */
export function parameterNames(fn: (...args: never[]) => unknown): string[] {
  const text = Function.prototype.toString.call(fn);
  const open = text.indexOf('(');
  if (open < 0) return [];
  let depth = 0;
  let end = open;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    if (depth === 0) {
      end = i;
      break;
    }
  }
  const inner = text.slice(open + 1, end).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  const names: string[] = [];
  let level = 0;
  let current = '';
  for (const c of inner) {
    if (c === '(' || c === '{' || c === '[') level++;
    if (c === ')' || c === '}' || c === ']') level--;
    if (c === ',' && level === 0) {
      names.push(current);
      current = '';
    } else current += c;
  }
  if (current.trim()) names.push(current);
  return names.map((n) => n.split('=')[0]!.trim()).filter(Boolean);
}

const LOOP_CHANNEL_NAMES = ['loopChannel', 'loop_channel'];

/**
 * Upstream's rule: a process signature that takes a loop channel when the algorithm has none — or
 * the other way round — is an error. Here: a parameter named `loopChannel` (or `loop_channel`) on a
 * block that is no loop processor; or a loop processor whose process() declares exactly the
 * arguments of its base type and nothing more (no loop channel, no `...rest`).
 */
export function checkLoopSignature(process: (...args: never[]) => unknown, baseArgs: string[], hasLoopChannel: boolean, name: string): void {
  const names = parameterNames(process);
  const takes = names.some((n) => LOOP_CHANNEL_NAMES.includes(n));
  const signature = `process(${names.join(', ')})`;
  if (takes && !hasLoopChannel) {
    throw new BeatError('E_LOOP', `algorithm \`${name}': ${signature} takes a loop channel, but the algorithm is no loop processor (it has no loop channel)`);
  }
  if (hasLoopChannel && !takes && names.length === baseArgs.length && !names.some((n) => n.startsWith('...'))) {
    throw new BeatError(
      'E_LOOP',
      `algorithm \`${name}' is a loop processor: its ${signature} must take the loop channel, process(${[...baseArgs, 'loopChannel'].join(', ')})`,
    );
  }
}
