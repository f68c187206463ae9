// The default chunk shape (src/core/chunkPolicy.ts) and the bounded chunk queue (src/store/chunkQueue.ts).
import { describe, expect, it } from 'vitest';
import { defaultChunkShape, TARGET_CHUNK_BYTES } from '../../src/core/chunkPolicy';
import { itemSize, sizeOf, type DType } from '../../src/core/ndarray';
import { boundedQueue } from '../../src/store/chunkQueue';

describe('defaultChunkShape', () => {
  it('keeps a small image whole and tiles a large one in power-of-two squares of at most 4 MiB', () => {
    expect(defaultChunkShape([512, 512], 'float32')).toEqual([512, 512]);
    expect(defaultChunkShape([2048, 2048], 'uint8')).toEqual([2048, 2048]);
    expect(defaultChunkShape([4096, 4096], 'uint8')).toEqual([2048, 2048]);
    expect(defaultChunkShape([4096, 3000], 'uint16')).toEqual([1024, 1024]);
    expect(defaultChunkShape([4096, 4096], 'float32')).toEqual([1024, 1024]);
    expect(defaultChunkShape([4096, 4096], 'float64')).toEqual([512, 512]);
  });

  it('makes a 3-D stack one chunk per 2-D slice (tiled when a slice is large)', () => {
    expect(defaultChunkShape([1024, 1024, 1024], 'uint16')).toEqual([1, 1024, 1024]);
    expect(defaultChunkShape([60, 512, 512], 'float32')).toEqual([1, 512, 512]);
    expect(defaultChunkShape([10, 4096, 4096], 'float32')).toEqual([1, 1024, 1024]);
    expect(defaultChunkShape([2, 3, 40, 50], 'uint8')).toEqual([1, 1, 40, 50]);
  });

  it('keeps up to 4 interleaved channels inside a chunk', () => {
    expect(defaultChunkShape([256, 256, 3], 'uint8')).toEqual([256, 256, 3]);
    expect(defaultChunkShape([4096, 4096, 4], 'uint8')).toEqual([1024, 1024, 4]);
  });

  it('stretches tiles along a thin image, and handles 0-D, 1-D and empty axes', () => {
    expect(defaultChunkShape([2, 10_000_000], 'uint8')).toEqual([2, 2 ** 21]);
    expect(defaultChunkShape([10_000_000, 3], 'float32')).toEqual([2 ** 18, 3]);
    expect(defaultChunkShape([], 'float64')).toEqual([]);
    expect(defaultChunkShape([10], 'uint8')).toEqual([10]);
    expect(defaultChunkShape([10_000_000], 'uint16')).toEqual([2 ** 21]);
    expect(defaultChunkShape([0, 5], 'uint8')).toEqual([1, 5]);
  });

  it('never exceeds the target size for any dtype', () => {
    for (const dtype of ['uint8', 'uint16', 'float32', 'float64'] as DType[]) {
      for (const shape of [
        [8192, 8192],
        [100, 9000, 7000],
        [5000, 5000, 3],
        [3, 50_000_000],
      ]) {
        const c = defaultChunkShape(shape, dtype);
        expect(sizeOf(c) * itemSize(dtype)).toBeLessThanOrEqual(TARGET_CHUNK_BYTES);
      }
    }
  });
});

describe('boundedQueue', () => {
  it('runs at most `limit` tasks at once and all of them', async () => {
    const q = boundedQueue(3);
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    for (let i = 0; i < 10; i++) {
      q.add(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 1));
        running--;
        done.push(i);
      });
    }
    await q.onIdle();
    expect(peak).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('rejects with the first error and starts nothing after it', async () => {
    const q = boundedQueue(2);
    const started: number[] = [];
    for (let i = 0; i < 6; i++) {
      q.add(async () => {
        started.push(i);
        await new Promise((r) => setTimeout(r, 1));
        if (i === 1) throw new Error('chunk 1 failed');
      });
    }
    await expect(q.onIdle()).rejects.toThrow('chunk 1 failed');
    expect(started.length).toBeLessThan(6);
  });

  it('an empty queue is idle at once', async () => {
    await expect(boundedQueue().onIdle()).resolves.toEqual([]);
  });
});
