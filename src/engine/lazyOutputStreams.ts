// Lazy outputs feeding other blocks (issue 13). A lazy output's units hold staged arrays, committed
// with their datasets once the block is DONE (ToolchainService.storeOutputs); a block reading such an
// output must not see the staged arrays (the commit takes them over) and runs on the stored units
// instead, once they are stored:
// - a lazy input gets units referring to the committed arrays (StoredArrayRef, as a lazy source's
//   units do): every job opens handles of its own (BlockJobArrays) and reads only the chunks it asks
//   for, so the volume is never held by the engine;
// - any other input (and a runner block's) gets the arrays read whole from the store, as a non-lazy
//   input fed by a stored source does (fine for small data).
// Each stream is made once per run: the parts of a split block, and the blocks reading one output the
// same way, share it.
import { convertData, storedArrayMismatch } from '../core/beat';
import type { BlockJob, DataFormat, DataFormatRegistry, DataStream, PlannedBlock, ToolchainPlan } from '../core/beat';
import { thrownMessage } from '../core/describeValue';
import type { BlockRunRecord, StoredStream } from '../core/toolchainRecords';
import type { Store } from '../store/index';
import { StoredArrayRef } from './blockArrays';

export interface LazyOutputStreamsOptions {
  store: Store;
  plan: ToolchainPlan;
  registry: DataFormatRegistry;
  /** The run's block records: where a stored output's datasets are (or its block's E_STORE failure). */
  records: Readonly<Record<string, BlockRunRecord>>;
}

/** An input reading a lazy output, as the messages name it. */
interface LazyEdge {
  block: PlannedBlock;
  input: string;
  from: string;
  output: string;
  /** The input is lazy (a BEAT block's, declared `"lazy": true`). */
  lazy: boolean;
}

export class LazyOutputStreams {
  /** Block name → its outputs' storing (settles once they are stored, or failed to be). */
  private readonly storing = new Map<string, Promise<void>>();
  private readonly streams = new Map<string, Promise<DataStream>>();
  /** `block.output` of every lazy output. */
  private readonly lazyOutputs: ReadonlySet<string>;

  constructor(private readonly opts: LazyOutputStreamsOptions) {
    this.lazyOutputs = new Set(
      opts.plan.blocks.flatMap((b) => (b.declaration.groups[0]?.outputs ?? []).filter((o) => o.lazy).map((o) => `${b.name}.${o.name}`)),
    );
  }

  /** Block `block` is DONE and its outputs are being stored: `stored` settles once they are (or failed to be). */
  stored(block: string, stored: Promise<void>): void {
    this.storing.set(block, stored);
  }

  /** `job` with every input that reads a lazy output replaced by that output's stored units (waiting for them to be stored). */
  async resolve(job: BlockJob): Promise<BlockJob> {
    const block = this.opts.plan.blocks.find((b) => b.name === job.block);
    const edges = block ? this.edgesOf(block) : [];
    if (edges.length === 0) return job;
    const inputs = { ...job.inputs };
    for (const e of edges) inputs[e.input] = await this.stream(e);
    return { ...job, inputs };
  }

  private edgesOf(b: PlannedBlock): LazyEdge[] {
    const lazyInputs = new Set(b.runner ? [] : b.declaration.groups.flatMap((g) => g.inputs.filter((i) => i.lazy).map((i) => i.name)));
    return Object.entries(b.inputs).flatMap(([input, e]) =>
      e.kind === 'block' && this.lazyOutputs.has(`${e.block}.${e.output}`)
        ? [{ block: b, input, from: e.block, output: e.output, lazy: lazyInputs.has(input) }]
        : [],
    );
  }

  private stream(e: LazyEdge): Promise<DataStream> {
    const key = `${e.from}.${e.output}:${e.lazy ? 'refs' : 'read'}:${e.block.declaration.inputMap[e.input]}`;
    let s = this.streams.get(key);
    if (!s) {
      s = this.storedUnits(e);
      this.streams.set(key, s);
    }
    return s;
  }

  private async storedUnits(e: LazyEdge): Promise<DataStream> {
    // Both ends named in full: a loop pair's two blocks both fail with it.
    const where = `input '${e.block.name}.${e.input}' reads '${e.from}.${e.output}', a lazy output`;
    const storing = this.storing.get(e.from);
    if (!storing) throw new Error(`${where}, whose block '${e.from}' has not finished.`);
    await storing;
    const rec = this.opts.records[e.from];
    const stored = rec?.outputs[e.output];
    if (!stored || rec.status !== 'DONE') throw new Error(`${where} whose units could not be stored (see block '${e.from}').`);
    const formatName = e.block.declaration.inputMap[e.input]!;
    const format = this.opts.registry.get(formatName);
    return e.lazy ? this.refUnits(where, stored, format) : this.readUnits(where, stored, format);
  }

  /** Units referring to the committed arrays, each checked against the input's format (no bytes read). */
  private async refUnits(where: string, stored: StoredStream, format: DataFormat): Promise<DataStream> {
    return Promise.all(
      stored.datasetIds.map(async (id, k) => {
        const meta = await this.opts.store.getDatasetMeta(id);
        if (!meta) throw new Error(`${where}: its dataset '${id}' was deleted.`);
        const data: Record<string, StoredArrayRef> = {};
        for (const f of format.root.fields) {
          const fm = Object.hasOwn(meta.keys, f.name) ? meta.keys[f.name] : undefined;
          if (!fm || f.type.kind !== 'array') throw new Error(`${where}: its dataset '${meta.name}' has no array field '${f.name}'.`);
          const mismatch = storedArrayMismatch(f.type, format.name, fm.dtype, fm.shape);
          if (mismatch) throw new Error(`${where}: dataset '${meta.name}' field '${f.name}' ${mismatch}.`);
          data[f.name] = new StoredArrayRef(id, f.name, fm.dtype, fm.shape);
        }
        const [start, end] = stored.indices[k]!;
        return { data, start, end };
      }),
    );
  }

  /** Units read whole from the store (one transaction), converted to the input's format. */
  private async readUnits(where: string, stored: StoredStream, format: DataFormat): Promise<DataStream> {
    const recs = await this.opts.store.getDatasets(stored.datasetIds);
    return recs.map((r, k) => {
      if (!r) throw new Error(`${where}: its dataset '${stored.datasetIds[k]}' was deleted.`);
      const [start, end] = stored.indices[k]!;
      try {
        return { data: convertData(format, r.fields), start, end };
      } catch (err) {
        throw new Error(`${where}: dataset '${r.meta.name}' is not ${format.name}: ${thrownMessage(err)}`, { cause: err });
      }
    });
  }
}
