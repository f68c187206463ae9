// Moving arrays between the engine and runner workers (issue 13): which buffers one message transfers
// (src/core/ndarray.ts), and the typed runners' batched fetch and post (src/sdk/typedRunner.ts).
import { describe, expect, it } from 'vitest';
import { LARGE_BUFFER_BYTES, MAX_TRANSFER_BUFFERS, ndarray, transferGroups, transferablesOf, type NDArray } from '../../src/core/ndarray';
import { Image2ImageRunner } from '../../src/sdk/Image2ImageRunner';
import { SharedAssets, constructRunner } from '../../src/sdk/runnerState';
import { runPipeline } from '../../src/sdk/pipeline';
import { FETCH_AHEAD, FETCH_BATCH, POST_BATCH_BYTES } from '../../src/sdk/transfer';
import { fakeHost, putArrays } from './helpers/fakeHost';

const field = (a: NDArray) => ({ kind: 'array', array: a });
const big = () => ndarray('uint8', [LARGE_BUFFER_BYTES]);

describe('transferablesOf / transferGroups', () => {
  it('lists each distinct ArrayBuffer once, skipping shared, detached and missing ones', () => {
    const a = big();
    const b = ndarray('float32', [4]);
    const shared = { dtype: 'uint8', shape: [4], data: new Uint8Array(new SharedArrayBuffer(4)) } as NDArray;
    const gone = ndarray('uint8', [8]);
    structuredClone(gone.data.buffer, { transfer: [gone.data.buffer] });
    const items = [
      { x: field(a), y: field(b) },
      { x: field({ ...a }), s: field(shared), g: field(gone), n: null },
    ];
    expect(transferablesOf(items)).toEqual([a.data.buffer, b.data.buffer]);
  });

  it('keeps one message when it fits; else at most MAX_TRANSFER_BUFFERS large buffers per message, in order', () => {
    const few = Array.from({ length: MAX_TRANSFER_BUFFERS }, () => ({ image: field(big()) }));
    expect(transferGroups(few).map((g) => g.items.length)).toEqual([MAX_TRANSFER_BUFFERS]);
    const many = Array.from({ length: 100 }, () => ({ image: field(big()), small: field(ndarray('uint8', [16])) }));
    const groups = transferGroups(many);
    expect(groups.map((g) => g.items.length)).toEqual([32, 32, 32, 4]);
    expect(groups.flatMap((g) => g.items)).toEqual(many);
    for (const g of groups) {
      expect(g.transfer.filter((b) => b.byteLength >= LARGE_BUFFER_BYTES).length).toBeLessThanOrEqual(MAX_TRANSFER_BUFFERS);
      // Small buffers travel with their items and do not count.
      expect(g.transfer.length).toBe(2 * g.items.length);
    }
  });

  it('transfers a buffer that several messages share only with the last of them (the others copy it)', () => {
    const whole = ndarray('uint8', [40, LARGE_BUFFER_BYTES]);
    const views = Array.from({ length: 40 }, (_, i) => ({
      image: field({ dtype: 'uint8', shape: [LARGE_BUFFER_BYTES], data: whole.data.subarray(i * LARGE_BUFFER_BYTES, (i + 1) * LARGE_BUFFER_BYTES) }),
    }));
    const own = Array.from({ length: 40 }, () => ({ image: field(big()) }));
    const items = own.flatMap((o, i) => [o, views[i]!]);
    const groups = transferGroups(items);
    const withWhole = groups.map((g, i) => (g.transfer.includes(whole.data.buffer as ArrayBuffer) ? i : -1)).filter((i) => i >= 0);
    expect(withWhole).toEqual([groups.length - 1]);
    for (const g of groups) expect(g.transfer.length).toBeLessThanOrEqual(MAX_TRANSFER_BUFFERS);
  });
});

class Identity extends Image2ImageRunner {
  override async inference(data: unknown): Promise<unknown> {
    return data;
  }
}

async function runIdentity(n: number, side: number) {
  const host = fakeHost();
  const arrays = Array.from({ length: n }, (_, k) => {
    const a = ndarray('float32', [side, side]);
    a.data.fill(k + 1);
    return a;
  });
  const ids = arrays.map((_, k) => `in-${k}`);
  putArrays(host, 'image', Object.fromEntries(ids.map((id, k) => [id, arrays[k]!])));
  const r = constructRunner(Identity, { shared: new SharedAssets(), device: 'cpu', host, executionId: 'e1' });
  const out = (await runPipeline(r, ids, {}, host)) as string[];
  return { host, ids, out, arrays };
}

describe('typed runners: batched fetch, transferable posts', () => {
  it('fetches FETCH_BATCH inputs per call and stacks them in order', async () => {
    const n = 2 * FETCH_BATCH + 3;
    const { host, ids, out } = await runIdentity(n, 4);
    expect(host.fetchCalls.map((c) => c.ids)).toEqual([ids.slice(0, FETCH_BATCH), ids.slice(FETCH_BATCH, 2 * FETCH_BATCH), ids.slice(2 * FETCH_BATCH)]);
    expect(out.map((id) => (host.datasets.get(id)!.image!.array.data as Float32Array)[0])).toEqual(Array.from({ length: n }, (_, k) => k + 1));
  });

  it('keeps FETCH_AHEAD fetchData calls in flight', async () => {
    const host = fakeHost();
    const ids = Array.from({ length: 4 * FETCH_BATCH }, (_, k) => `in-${k}`);
    putArrays(host, 'image', Object.fromEntries(ids.map((id) => [id, ndarray('uint8', [2, 2])])));
    const fetch = host.fetchData.bind(host);
    let inFlight = 0;
    let most = 0;
    host.fetchData = async (i, k) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return fetch(i, k);
    };
    const r = constructRunner(Identity, { shared: new SharedAssets(), device: 'cpu', host, executionId: 'e1' });
    await runPipeline(r, ids, {}, host);
    expect(host.fetchCalls).toHaveLength(4);
    expect(most).toBe(FETCH_AHEAD);
  });

  it('posts every output of one run in one call on ONE buffer (the stack) when it fits', async () => {
    const { host, out } = await runIdentity(3, 8);
    expect(host.postCalls).toHaveLength(1);
    const items = host.postCalls[0]!.items;
    expect(transferablesOf(items)).toHaveLength(1);
    expect(items.map((it) => it.image!.array.data.byteOffset)).toEqual([0, 256, 512]);
    expect(out).toHaveLength(3);
  });

  it('stacks one input without a copy (a view on its fetched buffer)', async () => {
    const { host, arrays } = await runIdentity(1, 8);
    expect(host.postCalls[0]!.items[0]!.image!.array.data.buffer).toBe(arrays[0]!.data.buffer);
  });

  it('posts more than POST_BATCH_BYTES in consecutive calls, each on a buffer of its own', async () => {
    const side = 1024; // 4 MiB per float32 image
    const n = POST_BATCH_BYTES / (side * side * 4) + 2;
    const { host, out } = await runIdentity(n, side);
    expect(host.postCalls.map((c) => c.items.length)).toEqual([n - 2, 2]);
    const bufs = host.postCalls.map((c) => transferablesOf(c.items));
    expect(bufs.map((b) => b.length)).toEqual([1, 1]);
    expect(bufs[0]![0]).not.toBe(bufs[1]![0]);
    expect(out.map((id) => (host.datasets.get(id)!.image!.array.data as Float32Array)[side])).toEqual(Array.from({ length: n }, (_, k) => k + 1));
  });
});
