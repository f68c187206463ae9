// HostApi's lazy-array calls for one run (issue 13): describeData (fields without their bytes),
// readArray (a region of a field: only the chunks it touches are read; bytes transferred), and output
// arrays written block by block — createArray (a staged chunked array, counted against the run's byte
// limit), writeArray (each block checked: handle of this run, origin, dtype, shape; the bytes arrive
// transferred), abortArray — then posted as a field {kind: 'array', staged: handle} of a postData item,
// which commits the dataset and its arrays in one transaction (stagedFieldOf, used by hostData.ts).
// The same access rules as fetchData: a third-party bundle reads only its inputs, ids among its
// arguments and what it posted. Whatever the run leaves unposted is dropped when it ends
// (releaseRunArrays, from executions.ts), so a failed or cancelled run leaves no staged array.
import { fieldAxes } from '../core/fieldAxes';
import { fullRegion, originProblem, regionProblem, shapeProblem, shapeStandIn, type ArrayRegion } from '../core/lazyArrays';
import { thrownMessage } from '../core/describeValue';
import { DTYPES, isDType, itemSize, ndarrayProblem, sizeOf, typedArrayCtor, type NDArray } from '../core/ndarray';
import type { DatasetArrays, HostApi, StagedFieldRef } from '../core/protocol';
import type { StoredField } from '../core/records';
import type { ChunkedArrayWriter, NewDataset } from '../store/index';
import type { HostApiContext } from './hostContext';
import { sourceImageOf } from './sourceImage';
import { MAX_ID_LENGTH, checkIdList, describeValue, isPlainRecord, stringsIn } from './hostChecks';
import { transferred } from './hostRpc';
import { assertAlive, isThirdParty, type LiveRun } from './liveRun';

/** Most output arrays one run may create. */
export const MAX_OUTPUT_ARRAYS = 10_000;
/** Largest chunk an output array may have (a chunk is what the page encodes and holds at once). */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;
/** Largest region one readArray may return (read bigger arrays in blocks), and most bytes a run's reads hold at once. */
export const MAX_READ_BYTES = 512 * 1024 * 1024;

/** A field of a dataset a run posts: in memory, or an output array written block by block. */
export type NewField = NewDataset['fields'][string];

interface OutputEntry {
  writer: ChunkedArrayWriter;
  bytes: number;
  /** open: being written; sealed: a postData is committing it; posted: committed with a dataset; aborted. */
  state: 'open' | 'sealed' | 'posted' | 'aborted';
  /** The writes of this array, one after the other (two blocks sharing a chunk must not race). */
  chain: Promise<unknown>;
}

interface RunArrays {
  outputs: Map<string, OutputEntry>;
  /** What a third-party bundle may read besides what it posted (null: anything). */
  readable: Set<string> | null;
  /** Bytes of the reads in flight (a worker cannot make the page hold more than MAX_READ_BYTES at once). */
  reading: number;
}

const RUNS = new WeakMap<LiveRun, RunArrays>();

function arraysOf(run: LiveRun): RunArrays {
  let r = RUNS.get(run);
  if (!r) {
    r = { outputs: new Map(), reading: 0, readable: isThirdParty(run.alg) ? stringsIn(run.rec.args, new Set(run.rec.inputDatasetIds)) : null };
    RUNS.set(run, r);
  }
  return r;
}

function checkReadable(run: LiveRun, ids: readonly string[], call: string): void {
  const { readable } = arraysOf(run);
  if (!readable) return;
  const denied = ids.filter((id) => !readable.has(id) && !run.posted.includes(id));
  if (denied.length) {
    throw new Error(
      `${call}: ${denied.map((d) => `'${d.slice(0, 80)}'`).join(', ')} ${denied.length > 1 ? 'are' : 'is'} not an input of this execution; a third-party bundle may read only its inputs, datasets named in its arguments and datasets it posted.`,
    );
  }
}

function checkKey(key: unknown, call: string): string {
  if (typeof key !== 'string' || !key || key.length > MAX_ID_LENGTH) throw new Error(`${call}: key must be a non-empty field name, got ${describeValue(key)}.`);
  return key;
}

const lastOf = (s: string) => (s.length > 80 ? `${s.slice(0, 80)}…` : s);

/** The entry of `handle` among this run's output arrays, open for writing (else a message naming it). */
function openEntry(run: LiveRun, handle: unknown, call: string): OutputEntry {
  if (typeof handle !== 'string' || !handle || handle.length > MAX_ID_LENGTH)
    throw new Error(`${call}: handle must be an output array handle, got ${describeValue(handle)}.`);
  const entry = arraysOf(run).outputs.get(handle);
  if (!entry) throw new Error(`${call}: '${lastOf(handle)}' is not an output array of this execution (createArray gives the handles).`);
  if (entry.state !== 'open') {
    throw new Error(`${call}: output array '${handle}' was already ${entry.state === 'aborted' ? 'aborted' : 'posted'}; it cannot change any more.`);
  }
  return entry;
}

/** The bytes of `a` to transfer: its own buffer, or a copy of its view when it shares a larger one. */
export function ownBytes(a: NDArray): { array: NDArray; buffer: ArrayBuffer } {
  const d = a.data;
  if (d.buffer instanceof ArrayBuffer && d.byteOffset === 0 && d.byteLength === d.buffer.byteLength) return { array: a, buffer: d.buffer };
  const copy = d.slice() as NDArray['data'];
  return { array: { dtype: a.dtype, shape: a.shape, data: copy }, buffer: copy.buffer as ArrayBuffer };
}

function describeDataCall(run: LiveRun, ctx: HostApiContext): HostApi['describeData'] {
  return async (ids) => {
    assertAlive(run);
    const idList = checkIdList(ids, 'describeData: ids');
    checkReadable(run, idList, 'describeData');
    const out: DatasetArrays[] = [];
    for (const id of idList) {
      const meta = await ctx.store.getDatasetMeta(id);
      if (!meta) throw new Error(`describeData: dataset '${id}' not found.`);
      const fields: DatasetArrays['fields'] = {};
      for (const [k, fm] of Object.entries(meta.keys)) {
        fields[k] = { kind: fm.kind, dtype: fm.dtype, shape: [...fm.shape], chunks: [...(fm.chunkShape ?? fm.shape)], axes: fieldAxes(k, fm) };
      }
      const sourceImage = meta.keys.mask ? await sourceImageOf(ctx.store, meta, 'mask') : null;
      if (sourceImage) arraysOf(run).readable?.add(sourceImage);
      out.push({ schema: meta.schema, fields, sourceImage });
    }
    return out;
  };
}

/**
 * Read `box` with `read`, its bytes counted against `reads.reading` (the reads in flight of one run or
 * one block job, `holder` in the message): a region larger than MAX_READ_BYTES, or one that would bring
 * the reads in flight over it, is refused. Returns the array with its buffer transferred.
 */
export async function boundedRead(
  reads: { reading: number },
  holder: string,
  box: [number, number][],
  dtype: NDArray['dtype'],
  call: string,
  read: () => Promise<NDArray>,
): Promise<NDArray> {
  const bytes = box.reduce((n, [a, b]) => n * (b - a), itemSize(dtype));
  if (reads.reading + bytes > MAX_READ_BYTES) {
    throw new Error(
      `${call}: the region [${box.map(([a, b]) => `${a}:${b}`).join(', ')}] is ${bytes} bytes; with the ${reads.reading} bytes being read already ${holder} would hold more than ${MAX_READ_BYTES} at once. Read it in smaller blocks.`,
    );
  }
  reads.reading += bytes;
  try {
    const { array, buffer } = ownBytes(await read());
    return transferred(array, [buffer]);
  } finally {
    reads.reading -= bytes;
  }
}

/** The region checked against `shape`: [start, stop] on every axis. */
export function checkedBox(region: unknown, shape: readonly number[], call: string): [number, number][] {
  if (region !== null) {
    const p = regionProblem(region, shape, `${call}: region`);
    if (p) throw new Error(p);
  }
  return fullRegion(region as ArrayRegion | null, shape);
}

function readArrayCall(run: LiveRun, ctx: HostApiContext): HostApi['readArray'] {
  return async (id, key, region) => {
    assertAlive(run);
    const [dsId] = checkIdList([id], 'readArray: id');
    const k = checkKey(key, 'readArray');
    checkReadable(run, [dsId!], 'readArray');
    const t = performance.now();
    let reader;
    try {
      reader = await ctx.store.openDatasetArray(dsId!, k);
    } catch (e) {
      throw new Error(`readArray: ${thrownMessage(e)}`, { cause: e });
    }
    if (!reader) throw new Error(`readArray: dataset '${dsId}' not found.`);
    const box = checkedBox(region, reader.shape, 'readArray');
    const a = await boundedRead(arraysOf(run), 'this execution', box, reader.dtype, 'readArray', () => reader.read(box));
    run.stats.fetchMs += performance.now() - t;
    return a;
  };
}

/** Checked createArray arguments: dtype, shape and chunk shape (null: the store's default). */
export function checkSpec(spec: unknown): { dtype: NDArray['dtype']; shape: number[]; chunks: number[] | null } {
  if (!isPlainRecord(spec)) throw new Error(`createArray: expected {dtype, shape, chunks?}, got ${describeValue(spec)}.`);
  const { dtype, shape, chunks } = spec;
  if (!isDType(dtype))
    throw new Error(
      `createArray: dtype must be one of ${DTYPES.join(', ')}, got ${typeof dtype === 'string' ? JSON.stringify(dtype.slice(0, 40)) : describeValue(dtype)}.`,
    );
  try {
    typedArrayCtor(dtype);
  } catch (e) {
    throw new Error(`createArray: ${thrownMessage(e)}`, { cause: e });
  }
  const sp = shapeProblem(shape, 'createArray: shape');
  if (sp) throw new Error(sp);
  const s = shape as number[];
  if (!Number.isSafeInteger(sizeOf(s) * itemSize(dtype))) throw new Error(`createArray: shape [${s.join(', ')}] is too large.`);
  if (chunks === undefined || chunks === null) return { dtype, shape: [...s], chunks: null };
  if (!Array.isArray(chunks) || chunks.length !== s.length || !chunks.every((c) => Number.isSafeInteger(c) && (c as number) >= 1)) {
    throw new Error(`createArray: chunks must be ${s.length} positive integers (one per axis of [${s.join(', ')}]), got ${describeValue(chunks)}.`);
  }
  const c = chunks as number[];
  const chunkBytes = sizeOf(c) * itemSize(dtype);
  if (chunkBytes > MAX_CHUNK_BYTES)
    throw new Error(`createArray: chunks [${c.join(', ')}] are ${chunkBytes} bytes each; at most ${MAX_CHUNK_BYTES} are allowed.`);
  return { dtype, shape: [...s], chunks: [...c] };
}

function createArrayCall(run: LiveRun, ctx: HostApiContext): HostApi['createArray'] {
  return async (spec) => {
    assertAlive(run);
    const { dtype, shape, chunks } = checkSpec(spec);
    const arrays = arraysOf(run);
    if (arrays.outputs.size >= MAX_OUTPUT_ARRAYS) throw new Error(`createArray: this execution already has ${MAX_OUTPUT_ARRAYS} output arrays.`);
    const bytes = sizeOf(shape) * itemSize(dtype);
    if (run.postedBytes + bytes > run.maxPostBytes) {
      throw new Error(
        `createArray: an output array of ${bytes} bytes would bring this execution's posted bytes to ${run.postedBytes + bytes}, ${run.postLimitReason ? `but ${run.postLimitReason}` : `more than its limit of ${run.maxPostBytes}`}.`,
      );
    }
    run.postedBytes += bytes;
    let writer: ChunkedArrayWriter;
    try {
      writer = await ctx.store.createChunkedArray({ dtype, shape, ...(chunks ? { chunkShape: chunks } : {}) });
    } catch (e) {
      run.postedBytes -= bytes;
      throw new Error(`createArray: ${thrownMessage(e)}`, { cause: e });
    }
    if (run.finished || run.stopReason) {
      // The run ended while the array was being created: nobody will post or release it.
      await writer.abort().catch(() => {});
      throw new Error('This execution is over.');
    }
    const handle = crypto.randomUUID();
    arrays.outputs.set(handle, { writer, bytes, state: 'open', chain: Promise.resolve() });
    return { handle, dtype, shape: [...writer.shape], chunks: [...writer.chunkShape] };
  };
}

function writeArrayCall(run: LiveRun): HostApi['writeArray'] {
  return async (handle, origin, block) => {
    assertAlive(run);
    const entry = openEntry(run, handle, 'writeArray');
    const { writer } = entry;
    const p = ndarrayProblem(block, 'writeArray: block');
    if (p) throw new Error(p);
    if (block.dtype !== writer.dtype) throw new Error(`writeArray: block dtype ${block.dtype} does not match the output array's dtype ${writer.dtype}.`);
    const o = originProblem(origin, block.shape, writer.shape, 'origin');
    if (o) throw new Error(`writeArray: ${o}`);
    // Rebuilt from checked parts only.
    const b: NDArray = { dtype: block.dtype, shape: [...block.shape], data: block.data };
    const write = entry.chain.then(() => writer.write([...origin], b));
    entry.chain = write.catch(() => {});
    await write;
  };
}

function readOutputCall(run: LiveRun): HostApi['readOutput'] {
  return async (handle, region) => {
    assertAlive(run);
    const entry = openEntry(run, handle, 'readOutput');
    const box = checkedBox(region, entry.writer.shape, 'readOutput');
    await entry.chain; // after the writes made before this call
    return boundedRead(arraysOf(run), 'this execution', box, entry.writer.dtype, 'readOutput', () => entry.writer.readStaged(box));
  };
}

function abortArrayCall(run: LiveRun): HostApi['abortArray'] {
  return async (handle) => {
    assertAlive(run);
    const entry = openEntry(run, handle, 'abortArray');
    await dropEntry(run, entry);
  };
}

async function dropEntry(run: LiveRun, entry: OutputEntry): Promise<void> {
  entry.state = 'aborted';
  await entry.chain;
  await entry.writer.abort();
  run.postedBytes -= entry.bytes;
}

export function arrayCalls(
  run: LiveRun,
  ctx: HostApiContext,
): Pick<HostApi, 'describeData' | 'readArray' | 'createArray' | 'writeArray' | 'abortArray' | 'readOutput'> {
  return {
    describeData: describeDataCall(run, ctx),
    readArray: readArrayCall(run, ctx),
    createArray: createArrayCall(run, ctx),
    writeArray: writeArrayCall(run),
    abortArray: abortArrayCall(run),
    readOutput: readOutputCall(run),
  };
}

/**
 * For postData: a field value `{kind: 'array', staged: handle}` naming an open output array of this run
 * becomes the store's staged field (null for any other value). Sealing it for the dataset's write waits
 * for its writes and refuses further ones; the write's outcome marks it posted or aborted.
 */
export function stagedFieldOf(run: LiveRun, value: unknown, where: string): NewField | null {
  if (!isPlainRecord(value) || !Object.hasOwn(value, 'staged')) return null;
  const { kind, staged } = value as Partial<StagedFieldRef>;
  if (kind !== 'array' || Object.keys(value).length !== 2) {
    throw new Error(`${where}: an output array field must be exactly {kind: 'array', staged: <handle>}, got kind ${JSON.stringify(describeValue(kind))}.`);
  }
  const entry = openEntry(run, staged, where);
  const { writer } = entry;
  const sealing: ChunkedArrayWriter = {
    ...writer,
    write: (o, b) => writer.write(o, b),
    commit: () => writer.commit(),
    abort: () => dropEntry(run, entry),
    readStaged: (region) => writer.readStaged(region),
    async seal() {
      if (entry.state !== 'open') throw new Error(`${where}: output array '${staged}' is posted twice.`);
      entry.state = 'sealed';
      await entry.chain;
      const s = await writer.seal();
      return {
        ...s,
        settle() {
          s.settle();
          entry.state = 'posted';
        },
        abort: async () => {
          entry.state = 'aborted';
          run.postedBytes -= entry.bytes;
          await s.abort();
        },
      };
    },
  };
  return { kind: 'array', staged: sealing };
}

/** The fields as a data schema checks them: output arrays become shape-only stand-ins (dtype and shape). */
export function schemaView(fields: Record<string, NewField>): Record<string, StoredField> {
  const out: Record<string, StoredField> = {};
  for (const [k, f] of Object.entries(fields)) {
    if ('staged' in f) out[k] = { kind: f.kind, array: shapeStandIn(f.staged.dtype, f.staged.shape) };
    else if ('remote' in f) out[k] = { kind: f.kind, array: shapeStandIn(f.dtype, f.shape) };
    else out[k] = f;
  }
  return out;
}

/**
 * The run is over: drop every output array it did not post (after the writes in flight), so nothing
 * stays staged. Returns how many were dropped.
 */
export async function releaseRunArrays(run: LiveRun): Promise<number> {
  const arrays = RUNS.get(run);
  if (!arrays) return 0;
  const open = [...arrays.outputs.values()].filter((e) => e.state === 'open');
  await Promise.all(open.map((e) => dropEntry(run, e).catch(() => {}))); // else GC collects them on the next open
  return open.length;
}
