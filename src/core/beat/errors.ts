// Errors of the BEAT block engine. Every failure the engine reports carries a stable code (the error
// taxonomy of the reference, §13) and, where the reference gives one, the reference's exact message.
// Pure TS.

export type BeatErrorCode =
  /** `next()` on a group the platform drives (the synchronization group): "Not authorized". */
  | 'E_NOT_AUTHORIZED'
  /** `next()` past the last unit of an input ("… (no more data) …"). */
  | 'E_NO_MORE_DATA'
  /** `write(data, end)` with an end index before the next free index or after the current interval. */
  | 'E_END_INDEX'
  /** At the end of a run some output does not reach the end of the data ("Missing data on the following output(s): …"). */
  | 'E_MISSING_DATA'
  /** `setup()` returned a falsy value: "Could not setup algorithm (returned False)". */
  | 'E_SETUP_FALSE'
  /** `prepare()` returned a falsy value: "Could not prepare algorithm (returned False)". */
  | 'E_PREPARE_FALSE'
  /** `process()` returned a falsy value: "Could not run algorithm (returned False)". */
  | 'E_PROCESS_FALSE'
  /** Parameters given that the declaration does not declare. */
  | 'E_PARAM_UNDECLARED'
  /** A parameter value that cannot be cast to its type or violates its range or choice. */
  | 'E_PARAM_VALUE'
  /** A declared parameter with no default that was not given. */
  | 'E_PARAM_MISSING'
  /** A data object with missing or undeclared fields. */
  | 'E_FORMAT_ATTRIBUTES'
  /** A data value that cannot be converted to its field type without loss. */
  | 'E_FORMAT_CAST'
  /** An array of the wrong rank or of a wrong fixed dimension. */
  | 'E_FORMAT_SHAPE'
  /** An invalid data format declaration (unknown type, cycle, bad array declaration…). */
  | 'E_FORMAT_DECLARATION'
  /** An invalid algorithm declaration; `details` lists every problem. */
  | 'E_DECLARATION'
  /** Input streams that do not match the declaration or are not ordered, non-overlapping units. */
  | 'E_INPUT_STREAM'
  /** An invalid index range for a split run, or an invalid split request. */
  | 'E_RANGE'
  /** A split run of an algorithm that is not splittable. */
  | 'E_NOT_SPLITTABLE'
  /** Parts of a split run whose outputs cannot be merged in index order. */
  | 'E_SPLIT_MERGE'
  /** An analyzer whose result does not start at index 0. */
  | 'E_RESULT'
  /** Anything the algorithm's own code threw. */
  | 'E_USER'
  /** An invalid toolchain: schema, unknown block/source, connection format mismatch, ambiguous input naming, cycle. */
  | 'E_TOOLCHAIN'
  /** A run returned by a block worker that does not match the block's declaration or the job (validateBlockRun). */
  | 'E_INVALID_RUN'
  /** A loop pair: a request or answer of the wrong format or shape, a process signature that does not match the loop, an evaluator that failed or is missing. */
  | 'E_LOOP'
  /** A runner block (a Compox algorithm): its execution failed, or what it posted does not map onto its input units or formats. */
  | 'E_RUNNER';

export class BeatError extends Error {
  readonly code: BeatErrorCode;
  /** Individual problems, when the error summarises several (declarations). */
  readonly details: readonly string[];

  constructor(code: BeatErrorCode, message: string, details: readonly string[] = []) {
    super(message);
    this.name = 'BeatError';
    this.code = code;
    this.details = details;
  }
}
