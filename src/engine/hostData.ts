// HostApi's data calls for one run: fetchData (a third-party bundle reads only its inputs, ids among
// its arguments and what it posted; buffers are transferred) and postData (every item and field
// checked and rebuilt from checked parts, re-validated against the named schema, written in one
// transaction, within the run's byte limit).
import { DATA_SCHEMAS, validateItem, type DataSchemaName } from '../core/dataSchemas';
import { decodeFields } from '../core/datasetCodec';
import { LARGE_BUFFER_BYTES, MAX_TRANSFER_BUFFERS, largeCount, ndarrayProblem, transferablesOf, type NDArray } from '../core/ndarray';
import type { HostApi, RawFields } from '../core/protocol';
import type { FieldKind } from '../core/records';
import type { HostApiContext } from './hostContext';
import { schemaView, stagedFieldOf, type NewField } from './hostArrays';
import { FIELD_KINDS, FORBIDDEN_KEYS, MAX_IDS, MAX_ID_LENGTH, checkIdList, describeValue, isPlainRecord, stringsIn } from './hostChecks';
import { transferred } from './hostRpc';
import { assertAlive, isThirdParty, type LiveRun } from './liveRun';
import { inheritedAxes } from './outputAxes';
import { measuredOutput, outputDatasetName, outputSources } from './outputSources';

/**
 * The buffers to transfer with a fetchData reply. The store gives each field its own fresh buffer; a
 * reply with more large buffers than one message may carry to another process (a bundle asking for
 * many datasets at once; see MAX_TRANSFER_BUFFERS in src/core/ndarray.ts) has its arrays copied into MAX_TRANSFER_BUFFERS
 * packed buffers instead (each array a view on one), so the page never crashes on its own reply.
 */
export function packForTransfer(out: RawFields[]): ArrayBuffer[] {
  const buffers = transferablesOf(out);
  if (largeCount(buffers) <= MAX_TRANSFER_BUFFERS) return buffers;
  const fields = out.flatMap((f) => Object.values(f)).filter((f): f is NonNullable<typeof f> => !!f && f.array.data.byteLength >= LARGE_BUFFER_BYTES);
  const per = Math.ceil(fields.length / MAX_TRANSFER_BUFFERS);
  for (let i = 0; i < fields.length; i += per) {
    const group = fields.slice(i, i + per);
    // 8-byte aligned offsets, so every dtype's view fits.
    const offsets = group.map(() => 0);
    let size = 0;
    group.forEach((f, j) => {
      offsets[j] = size;
      size += Math.ceil(f.array.data.byteLength / 8) * 8;
    });
    const packed = new ArrayBuffer(size);
    group.forEach((f, j) => {
      const a = f.array;
      new Uint8Array(packed, offsets[j], a.data.byteLength).set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength));
      f.array = {
        dtype: a.dtype,
        shape: a.shape,
        data: new (a.data.constructor as new (b: ArrayBuffer, o: number, n: number) => NDArray['data'])(packed, offsets[j]!, a.data.length),
      };
    });
  }
  return transferablesOf(out);
}

export function fetchDataCall(run: LiveRun, ctx: HostApiContext): HostApi['fetchData'] {
  const { rec, alg } = run;
  // A third-party bundle reads only what it was given: its inputs, ids among its arguments, its own outputs.
  const readable = isThirdParty(alg) ? stringsIn(rec.args, new Set(rec.inputDatasetIds)) : null;
  return async (ids, keys) => {
    assertAlive(run);
    const idList = checkIdList(ids, 'fetchData: ids');
    const keyList = keys === null ? null : checkIdList(keys, 'fetchData: keys');
    if (readable) {
      const denied = idList.filter((id) => !readable.has(id) && !run.posted.includes(id));
      if (denied.length) {
        throw new Error(
          `fetchData: ${denied.map((d) => `'${d.slice(0, 80)}'`).join(', ')} ${denied.length > 1 ? 'are' : 'is'} not an input of this execution; a third-party bundle may read only its inputs, datasets named in its arguments and datasets it posted.`,
        );
      }
    }
    const t = performance.now();
    // Every dataset's read is issued at once, in one transaction, not one transaction after another.
    const got = (await ctx.store.getManyDatasetFields(idList, keyList ?? undefined)).map((g, i) => {
      if (!g) throw new Error(`fetchData: dataset '${idList[i]}' not found.`);
      return g;
    });
    const out: RawFields[] = got.map((g) => {
      const fields: RawFields = {};
      for (const [k, f] of Object.entries(g.fields)) fields[k] = f ? { kind: f.kind, array: f.array } : null;
      return fields;
    });
    const transfer = packForTransfer(out);
    run.stats.fetched += idList.length;
    run.stats.fetchMs += performance.now() - t;
    return transferred(out, transfer);
  };
}

export function postDataCall(run: LiveRun, ctx: HostApiContext): HostApi['postData'] {
  const { rec, alg } = run;
  const maxPost = run.maxPostBytes;
  return async (items, schemaName) => {
    assertAlive(run);
    if (!Array.isArray(items)) throw new Error(`postData: expected a list of items, got ${describeValue(items)}.`);
    if (items.length > MAX_IDS) throw new Error(`postData: ${items.length} items in one call; at most ${MAX_IDS} are allowed.`);
    if (schemaName !== null && !(typeof schemaName === 'string' && Object.hasOwn(DATA_SCHEMAS, schemaName))) {
      throw new Error(`postData: unknown schema ${JSON.stringify(typeof schemaName === 'string' ? schemaName.slice(0, 80) : describeValue(schemaName))}.`);
    }
    const t = performance.now();
    let bytes = 0;
    const checked = items.map((item: unknown, i) => {
      if (!isPlainRecord(item)) throw new Error(`postData: item ${i} must be an object of fields, got ${describeValue(item)}.`);
      // Rebuilt from checked parts only: nothing else the worker sent (extra keys, __proto__) reaches the store.
      const fields: Record<string, NewField> = {};
      for (const k of Object.keys(item)) {
        if (!k || k.includes('/') || k.length > MAX_ID_LENGTH || FORBIDDEN_KEYS.has(k)) {
          throw new Error(`postData: item ${i} has an invalid field name ${JSON.stringify(k.slice(0, 80))}.`);
        }
        // An output array written block by block (createArray): committed with this dataset.
        const staged = stagedFieldOf(run, item[k], `postData: item ${i} field '${k}'`);
        if (staged) {
          fields[k] = staged;
          continue;
        }
        const sf = item[k] as { kind?: unknown; array?: unknown } | null;
        if (!isPlainRecord(sf) || !FIELD_KINDS.includes(sf.kind as FieldKind)) {
          throw new Error(`postData: item ${i} field '${k}' is malformed (expected {kind, array} with kind one of ${FIELD_KINDS.join(', ')}).`);
        }
        const p = ndarrayProblem(sf.array, `postData: item ${i} field '${k}'`);
        if (p) throw new Error(p);
        const a = sf.array as NDArray;
        bytes += a.data.byteLength;
        if (run.postedBytes + bytes > maxPost) {
          throw new Error(
            run.postLimitReason
              ? `postData: item ${i} field '${k}' (${a.data.byteLength} bytes) would bring this execution's posted bytes to ${run.postedBytes + bytes}, but ${run.postLimitReason}. Free storage (delete datasets or runs you no longer need) and run it again.`
              : `postData: item ${i} field '${k}' (${a.data.byteLength} bytes) would bring this execution's posted bytes to ${run.postedBytes + bytes}, more than its limit of ${maxPost}.`,
          );
        }
        // The array arrived in the worker's message: nothing else holds its buffer, the store may keep it.
        fields[k] = { kind: sf.kind as FieldKind, array: { dtype: a.dtype, shape: [...a.shape], data: a.data } as NDArray, owned: true };
      }
      // Re-validate on the trusted side against the named schema.
      if (schemaName) validateItem(DATA_SCHEMAS[schemaName as DataSchemaName], decodeFields(schemaView(fields)), i);
      return fields;
    });
    // This call's bytes count before its write is awaited (and are given back if it fails), so calls
    // in flight together cannot each pass the limit on their own.
    run.postedBytes += bytes;
    // Numbers reserved before the write is awaited, so calls in flight together never share one.
    const first = run.named;
    const firstOfBatch = run.batch.posted;
    const isTable = schemaName === 'Table';
    run.named += checked.length;
    if (!isTable) run.batch.posted += checked.length;
    ctx.log(run, 'INFO', `Saving ${checked.length} ${checked.length === 1 ? 'result' : 'results'} in this browser.`);
    const writing = (async () => {
      const measured = isTable ? await measuredOutput(run, ctx.store) : null;
      const sources = measured
        ? checked.map(() => measured.source)
        : isTable
          ? checked.map(() => ({ id: null, meta: null, nth: 1 }))
          : await outputSources(run, ctx.store, firstOfBatch, checked.length);
      const axes = inheritedAxes(
        sources.map((s) => s.meta),
        checked,
      );
      return ctx.store.putDatasets(
        checked.map((fields, i) => ({
          fields,
          name: outputDatasetName(run, sources[i]!, Object.keys(fields), first + i + 1),
          source: `execution:${rec.id}`,
          schema: schemaName,
          extra: {
            algorithm: `${alg.name} ${alg.version}`,
            execution: rec.id,
            inputs: rec.inputDatasetIds,
            ...(sources[i]!.id !== null ? { madeFrom: sources[i]!.id } : {}),
            ...(measured ? { labels: measured.labels, labelsKey: 'mask', ...(measured.image ? { image: measured.image } : {}) } : {}),
          },
          ...(axes[i] ? { axes: axes[i] } : {}),
        })),
      );
    })();
    run.writes.add(writing);
    let ids: string[];
    try {
      ids = await writing;
    } catch (e) {
      run.postedBytes -= bytes;
      throw e;
    } finally {
      run.writes.delete(writing);
    }
    run.posted.push(...ids);
    run.stats.posted += ids.length;
    run.stats.postMs += performance.now() - t;
    return ids;
  };
}

/** setOutputAxes: only on a dataset this run posted; the store checks the axes against the field (errors name dataset and field). */
export function setOutputAxesCall(run: LiveRun, ctx: HostApiContext): HostApi['setOutputAxes'] {
  return async (id, key, axes) => {
    assertAlive(run);
    if (typeof id !== 'string' || !run.posted.includes(id)) {
      const shown = typeof id === 'string' ? `'${id.slice(0, 80)}'` : describeValue(id);
      throw new Error(`setOutputAxes: ${shown} is not a dataset this execution posted (postData returns their ids).`);
    }
    if (typeof key !== 'string' || !key || key.length > MAX_ID_LENGTH) throw new Error(`setOutputAxes: invalid field name ${describeValue(key)}.`);
    await ctx.store.updateDataset(id, { axes: { [key]: axes } });
  };
}
