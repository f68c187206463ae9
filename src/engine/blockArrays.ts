// Lazy units of BEAT blocks (issue 13), engine side: the arrays of one block job. A lazy input's
// stored array fields are opened as readers and handed to the job as handles (LazyArrayRef); the
// job reads regions of them (only the chunks a region touches are read) and creates output arrays
// for its lazy outputs, written block by block into staged chunked arrays. Served on the job's port
// (BlockArraysApi) with every argument checked: handles of this job only, regions inside the array,
// each written block's dtype, shape and origin. Bytes are transferred. What the job's run refers to
// is `keep`-t for the output's dataset; everything else is dropped (`dropAll`), so a failed or
// cancelled job leaves no staged array.
import { originProblem } from '../core/lazyArrays';
import { ndarrayProblem, type NDArray } from '../core/ndarray';
import type { AlgorithmDeclaration, BlockRun, LazyArrayRef } from '../core/beat';
import type { BlockArraysApi } from '../core/blockProtocol';
import type { OutputArrayInfo } from '../core/protocol';
import type { ChunkedArrayWriter, Store } from '../store/index';
import type { DatasetArrayReader } from '../store/datasets';
import { boundedRead, checkedBox, checkSpec } from './hostArrays';
import { describeValue } from './hostChecks';

/** A stored dataset array field a lazy input's unit refers to — a lazy source's, or a stored lazy output's (replaced by a handle for each job). */
export class StoredArrayRef {
  constructor(
    readonly datasetId: string,
    readonly key: string,
    readonly dtype: string,
    readonly shape: readonly number[],
  ) {}
}

/** A handle or name as a message shows it: a string quoted (80 characters at most), anything else described. */
const named = (x: unknown): string => (typeof x === 'string' ? `'${x.slice(0, 80)}'` : describeValue(x));

interface OutputEntry {
  output: string;
  writer: ChunkedArrayWriter;
  state: 'open' | 'kept' | 'aborted';
  chain: Promise<unknown>;
}

export class BlockJobArrays {
  private readonly inputs = new Map<string, DatasetArrayReader>();
  private readonly outputs = new Map<string, OutputEntry>();
  private readonly lazyOutputs: Set<string>;
  /** Bytes of this job's reads in flight (boundedRead). */
  reading = 0;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly block: string,
    declaration: AlgorithmDeclaration,
  ) {
    this.lazyOutputs = new Set(declaration.isAnalyzer ? [] : declaration.groups[0]!.outputs.filter((o) => o.lazy).map((o) => o.name));
  }

  /** A handle of this job for `ref`'s array. */
  async open(ref: StoredArrayRef): Promise<LazyArrayRef> {
    const reader = await this.store.openDatasetArray(ref.datasetId, ref.key);
    if (!reader) throw new Error(`block '${this.block}': dataset '${ref.datasetId}' not found.`);
    const handle = crypto.randomUUID();
    this.inputs.set(handle, reader);
    return { lazyArray: handle, dtype: reader.dtype, shape: [...reader.shape], chunks: [...reader.chunkShape], axes: reader.axes };
  }

  private alive(call: string): void {
    if (this.closed) throw new Error(`${call}: the job of block '${this.block}' is over.`);
  }

  private output(handle: unknown, call: string): OutputEntry {
    const entry = typeof handle === 'string' ? this.outputs.get(handle) : undefined;
    if (!entry) throw new Error(`${call}: ${named(handle)} is not an output array of this job (createArray gives the handles).`);
    if (entry.state !== 'open')
      throw new Error(`${call}: output array '${handle as string}' was already ${entry.state === 'aborted' ? 'aborted' : 'written on its output'}.`);
    return entry;
  }

  /** The job port's calls (served by serveRpc: every argument is unchecked input). */
  readonly api: { [K in keyof BlockArraysApi]: (...args: unknown[]) => Promise<unknown> } = {
    readArray: async (handle, region) => {
      this.alive('readArray');
      const reader = typeof handle === 'string' ? this.inputs.get(handle) : undefined;
      if (!reader) throw new Error(`readArray: ${named(handle)} is not a lazy input array of this job.`);
      const box = checkedBox(region, reader.shape, 'readArray');
      return boundedRead(this, `the job of block '${this.block}'`, box, reader.dtype, 'readArray', () => reader.read(box));
    },
    createArray: async (output, spec) => {
      this.alive('createArray');
      if (typeof output !== 'string' || !this.lazyOutputs.has(output)) {
        throw new Error(
          `createArray: ${named(output)} is not a lazy output of block '${this.block}' (lazy outputs: ${[...this.lazyOutputs].join(', ') || 'none'}).`,
        );
      }
      const { dtype, shape, chunks } = checkSpec(spec);
      const writer = await this.store.createChunkedArray({ dtype, shape, ...(chunks ? { chunkShape: chunks } : {}) });
      if (this.closed) {
        await writer.abort().catch(() => {});
        throw new Error(`createArray: the job of block '${this.block}' is over.`);
      }
      const handle = crypto.randomUUID();
      this.outputs.set(handle, { output, writer, state: 'open', chain: Promise.resolve() });
      return { handle, dtype, shape: [...writer.shape], chunks: [...writer.chunkShape] } satisfies OutputArrayInfo;
    },
    writeArray: async (handle, origin, block) => {
      this.alive('writeArray');
      const entry = this.output(handle, 'writeArray');
      const p = ndarrayProblem(block, 'writeArray: block');
      if (p) throw new Error(p);
      const b = block as NDArray;
      if (b.dtype !== entry.writer.dtype) throw new Error(`writeArray: block dtype ${b.dtype} does not match the output array's dtype ${entry.writer.dtype}.`);
      const o = originProblem(origin, b.shape, entry.writer.shape, 'origin');
      if (o) throw new Error(`writeArray: ${o}`);
      const copy: NDArray = { dtype: b.dtype, shape: [...b.shape], data: b.data };
      const write = entry.chain.then(() => entry.writer.write([...(origin as number[])], copy));
      entry.chain = write.catch(() => {});
      await write;
    },
    readOutput: async (handle, region) => {
      this.alive('readOutput');
      const entry = this.output(handle, 'readOutput');
      const box = checkedBox(region, entry.writer.shape, 'readOutput');
      await entry.chain;
      return boundedRead(this, `the job of block '${this.block}'`, box, entry.writer.dtype, 'readOutput', () => entry.writer.readStaged(box));
    },
    abortArray: async (handle) => {
      this.alive('abortArray');
      const entry = this.output(handle, 'abortArray');
      entry.state = 'aborted';
      await entry.chain;
      await entry.writer.abort();
    },
  };

  /**
   * The job is over and its run validated: every staged ref of a lazy output must name an open output
   * array of this job created for that output, each used once; returns handle → writer for them. Throws
   * (naming the output and the handle) otherwise. Call `dropAll` after, whatever happened.
   */
  keep(run: BlockRun): Map<string, ChunkedArrayWriter> {
    this.closed = true;
    const kept = new Map<string, ChunkedArrayWriter>();
    for (const output of this.lazyOutputs) {
      for (const u of run.outputs[output] ?? []) {
        for (const [field, ref] of Object.entries(u.data)) {
          const handle = (ref as { staged: string }).staged;
          const entry = this.outputs.get(handle);
          if (!entry || entry.output !== output || entry.state !== 'open') {
            throw new Error(
              `block '${this.block}': output '${output}' unit [${u.start}, ${u.end}] field '${field}': '${handle.slice(0, 80)}' is not an open output array this job made for '${output}'.`,
            );
          }
          entry.state = 'kept';
          kept.set(handle, entry.writer);
        }
      }
    }
    return kept;
  }

  /** Drop every output array not kept (after the writes in flight); the job is over. */
  async dropAll(): Promise<void> {
    this.closed = true;
    const open = [...this.outputs.values()].filter((e) => e.state === 'open');
    for (const e of open) e.state = 'aborted';
    await Promise.all(open.map((e) => e.chain.then(() => e.writer.abort()).catch(() => {})));
    this.inputs.clear();
  }
}
