// HostApi's data calls for one run: fetchData (a third-party bundle reads only its inputs, ids among
// its arguments and what it posted; buffers are transferred) and postData (every item and field
// checked and rebuilt from checked parts, re-validated against the named schema, written in one
// transaction, within the run's byte limit).
import { DATA_SCHEMAS, validateItem, type DataSchemaName } from '../core/dataSchemas';
import { decodeFields } from '../core/datasetCodec';
import { ndarrayProblem, type NDArray } from '../core/ndarray';
import type { HostApi, RawFields } from '../core/protocol';
import type { FieldKind } from '../core/records';
import type { HostApiContext } from './hostContext';
import { schemaView, stagedFieldOf, type NewField } from './hostArrays';
import { FIELD_KINDS, FORBIDDEN_KEYS, MAX_IDS, MAX_ID_LENGTH, checkIdList, describeValue, isPlainRecord, stringsIn } from './hostChecks';
import { transferred } from './hostRpc';
import { assertAlive, isThirdParty, type LiveRun } from './liveRun';

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
    const out: RawFields[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const id of idList) {
      const got = await ctx.store.getDatasetFields(id, keyList ?? undefined);
      if (!got) throw new Error(`fetchData: dataset '${id}' not found.`);
      const fields: RawFields = {};
      for (const [k, f] of Object.entries(got.fields)) {
        fields[k] = f ? { kind: f.kind, array: f.array } : null;
        if (f && f.array.data.buffer instanceof ArrayBuffer && !transfer.includes(f.array.data.buffer)) transfer.push(f.array.data.buffer);
      }
      out.push(fields);
    }
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
        fields[k] = { kind: sf.kind as FieldKind, array: { dtype: a.dtype, shape: [...a.shape], data: a.data } as NDArray };
      }
      // Re-validate on the trusted side against the named schema.
      if (schemaName) validateItem(DATA_SCHEMAS[schemaName as DataSchemaName], decodeFields(schemaView(fields)), i);
      return fields;
    });
    const short = rec.id.slice(0, 8);
    const writing = ctx.store.putDatasets(
      checked.map((fields, i) => ({
        fields,
        name: `${alg.name} ${short} #${run.posted.length + i + 1}`,
        source: `execution:${rec.id}`,
        schema: schemaName,
        extra: { algorithm: `${alg.name} ${alg.version}`, execution: rec.id, inputs: rec.inputDatasetIds },
      })),
    );
    run.writes.add(writing);
    let ids: string[];
    try {
      ids = await writing;
    } finally {
      run.writes.delete(writing);
    }
    run.postedBytes += bytes;
    run.posted.push(...ids);
    run.stats.posted += ids.length;
    run.stats.postMs += performance.now() - t;
    ctx.log(run, 'INFO', `Uploading ${ids.length} results to the database.`);
    return ids;
  };
}
