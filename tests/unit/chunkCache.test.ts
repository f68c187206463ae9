// The in-memory chunk cache (src/store/chunkCache.ts) and how the store uses it: filled on commit and on
// reads of committed arrays, never by a write that aborted, copies handed out, bounded by bytes.
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkCache } from '../../src/store/chunkCache';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { deleteStore, openStore, type Store, type StoreHooks } from '../../src/store/index';

const buf = (n: number, v: number) => new Uint8Array(n).fill(v).buffer;

describe('ChunkCache', () => {
  it('hands out copies, evicts least recently used beyond its budget, refuses chunks over a quarter of it', () => {
    const c = new ChunkCache(400);
    c.put('a', 'a/c/0', buf(100, 1));
    c.put('a', 'a/c/1', buf(100, 2));
    c.put('b', 'b/c/0', buf(100, 3));
    const got = c.get('a/c/0')!; // a/c/0 becomes the most recently used
    new Uint8Array(got).fill(9);
    expect(new Uint8Array(c.get('a/c/0')!)[0]).toBe(1); // changing a copy changes nothing cached
    c.put('b', 'b/c/1', buf(100, 4));
    c.put('b', 'b/c/2', buf(100, 5)); // 500 > 400: the least recently used (a/c/1) goes
    expect(c.get('a/c/1')).toBeUndefined();
    expect(new Uint8Array(c.get('a/c/0')!)[0]).toBe(1);
    expect(c.stats()).toMatchObject({ bytes: 400, entries: 4, maxBytes: 400 });
    c.put('b', 'b/c/9', buf(101, 6)); // over a quarter of the budget: not cached
    expect(c.get('b/c/9')).toBeUndefined();
    c.dropArray('b');
    expect(c.stats()).toMatchObject({ bytes: 100, entries: 1 });
    expect(c.stats().hits).toBe(3);
  });

  it('admits a chunk read from storage on its second read only, and only while that is within reach of the cache', () => {
    const c = new ChunkCache(1000);
    expect(c.admit('a/c/0', 100)).toBe(false);
    expect(c.admit('a/c/1', 100)).toBe(false);
    expect(c.admit('a/c/0', 100)).toBe(true);
    expect(c.admit('a/c/0', 100)).toBe(false); // admitted once: the next miss (after eviction) starts over
    // Two passes over 20 chunks of 100 bytes (twice the cache): by the second pass every chunk was
    // seen more than a cache's worth of bytes ago, so none is admitted (no copy, nothing evicted).
    const pass = () => Array.from({ length: 20 }, (_, i) => c.admit(`v/c/${i}`, 100));
    expect(pass().some(Boolean)).toBe(false);
    expect(pass().some(Boolean)).toBe(false);
    // A chunk over a quarter of the budget is never admitted.
    expect(c.admit('big/c/0', 300) || c.admit('big/c/0', 300)).toBe(false);
  });

  it('a budget of 0 caches nothing; a negative budget is refused', () => {
    const c = new ChunkCache(0);
    expect(c.admit('a/c/0', 1) || c.admit('a/c/0', 1)).toBe(false);
    c.put('a', 'a/c/0', buf(10, 1));
    expect(c.get('a/c/0')).toBeUndefined();
    expect(() => new ChunkCache(-1)).toThrow(/budget must be a number of bytes ≥ 0, got -1/);
  });
});

describe('the store with its chunk cache', () => {
  const opened: Store[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) {
      s.close();
      await deleteStore(s.name);
    }
  });
  async function open(hooks: StoreHooks = {}, chunkCacheBytes?: number) {
    const s = await openStore(`cache-${crypto.randomUUID()}`, { hooks, ...(chunkCacheBytes === undefined ? {} : { chunkCacheBytes }) });
    opened.push(s);
    return s;
  }
  const image = (seed: number): NDArray => {
    const d = new Float32Array(256 * 256);
    for (let i = 0; i < d.length; i++) d[i] = (i * 7 + seed) % 101;
    return ndarray('float32', [256, 256], d);
  };

  it('a dataset just written reads back from memory, as a copy the reader owns', async () => {
    const s = await open();
    const [id] = await s.putDatasets([{ fields: { image: { kind: 'array', array: image(1) } }, source: 't', schema: null }]);
    expect(s.chunkCacheStats()).toMatchObject({ entries: 1, bytes: 256 * 256 * 4 });
    const a = (await s.getDataset(id!))!.fields.image as NDArray;
    expect(s.chunkCacheStats().hits).toBe(1);
    expect(a.data[5]).toBe(36);
    (a.data as Float32Array).fill(-1); // the reader's own copy
    const again = (await s.getDataset(id!))!.fields.image as NDArray;
    expect(again.data[5]).toBe(36);
    // Many at once, in one transaction, in order; unknown ids are null.
    const [id2] = await s.putDatasets([{ fields: { image: { kind: 'array', array: image(2) } }, source: 't', schema: null }]);
    const many = await s.getDatasets([id2!, 'nope', id!], ['image']);
    expect(many.map((r) => (r ? (r.fields.image as NDArray).data[0] : null))).toEqual([2, null, 1]);
  });

  it('a read fills it on the second read: a store opened afterwards reads storage twice, then memory', async () => {
    const s = await open();
    const [id] = await s.putDatasets([{ fields: { image: { kind: 'array', array: image(3) } }, source: 't', schema: null }]);
    const other = await openStore(s.name, {}); // same database, its own (empty) cache
    try {
      await other.getDataset(id!);
      expect(other.chunkCacheStats()).toMatchObject({ misses: 1, hits: 0, entries: 0 }); // seen once: not copied
      await other.getDataset(id!);
      expect(other.chunkCacheStats()).toMatchObject({ misses: 2, hits: 0, entries: 1 }); // read again: admitted
      expect(((await other.getDataset(id!))!.fields.image as NDArray).data[1]).toBe(10);
      expect(other.chunkCacheStats()).toMatchObject({ misses: 2, hits: 1 });
    } finally {
      other.close();
    }
  });

  it('a write that aborts caches nothing; a budget of 0 always reads storage', async () => {
    let fail = true;
    const s = await open({
      beforeCommit: () => {
        if (fail) throw new Error('injected');
      },
    });
    await expect(s.putDatasets([{ fields: { image: { kind: 'array', array: image(4) } }, source: 't', schema: null }])).rejects.toThrow('injected');
    expect(s.chunkCacheStats().entries).toBe(0);
    fail = false;
    let reads = 0;
    const none = await open({ onChunkRead: () => reads++ }, 0);
    const [id] = await none.putDatasets([{ fields: { image: { kind: 'array', array: image(5) } }, source: 't', schema: null }]);
    await none.getDataset(id!);
    await none.getDataset(id!);
    expect(none.chunkCacheStats()).toMatchObject({ entries: 0, hits: 0, maxBytes: 0 });
    expect(reads).toBe(2);
  });
});
