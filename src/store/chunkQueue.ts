// A bounded queue for zarrita's chunk work (its `createQueue` option): zarrita's default starts every
// chunk of a selection at once, which for a large block holds every encoded (or read) chunk in memory
// together. With at most CHUNKS_IN_FLIGHT at a time, memory stays "a few chunks" while IndexedDB still
// has several requests to overlap.

/** Chunks read or written concurrently by one get/set. */
export const CHUNKS_IN_FLIGHT = 4;

/** The shape zarrita expects (compatible with p-queue). */
interface ChunkQueue {
  add(fn: () => Promise<void>): void;
  onIdle(): Promise<void[]>;
}

/**
 * Runs at most `limit` tasks at a time, in the order added. onIdle resolves when all have finished, or
 * rejects with the first error, after which tasks not yet started are skipped (the running ones finish).
 */
export function boundedQueue(limit: number = CHUNKS_IN_FLIGHT): ChunkQueue {
  const waiting: (() => Promise<void>)[] = [];
  let running = 0;
  let failed: { error: unknown } | null = null;
  let idle: { resolve: (v: void[]) => void; reject: (e: unknown) => void } | null = null;
  const settle = () => {
    if (!idle || running > 0 || (waiting.length > 0 && !failed)) return;
    if (failed) idle.reject(failed.error);
    else idle.resolve([]);
    idle = null;
  };
  const pump = () => {
    while (running < limit && waiting.length > 0 && !failed) {
      const task = waiting.shift()!;
      running++;
      task().then(
        () => {
          running--;
          pump();
        },
        (error: unknown) => {
          running--;
          failed ??= { error };
          pump();
        },
      );
    }
    settle();
  };
  return {
    add(fn) {
      waiting.push(fn);
      pump();
    },
    onIdle() {
      return new Promise<void[]>((resolve, reject) => {
        idle = { resolve, reject };
        settle();
      });
    },
  };
}
