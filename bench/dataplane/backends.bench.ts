// bench/dataplane/backends.bench.ts: the chunk bytes' storage backend, bare. Issue 13 asks for OPFS
// (a SyncAccessHandle in a worker) to be measured for the chunk bytes if IndexedDB cannot reach its
// numbers: this compares, in the same page of the real app's origin, writing and reading the same
// chunks (N × 1 MiB, as the identity benchmark's images; 1 × 4 MiB, as the Otsu mask; 64 × 2 MiB, as
// slices of a volume) with
//  - IndexedDB: one record per chunk, all in one readwrite transaction, then one readonly transaction;
//  - OPFS, one file per chunk: a dedicated worker, createSyncAccessHandle per file, write (+ flush(),
//    the only way to make it durable, in a second variant) and close; reads into fresh buffers;
//  - OPFS, one file for all the chunks: the same worker, one handle, the chunks at offsets (no per-file
//    cost: the best case for OPFS).
// The chunks move between the page and the worker TRANSFERRED (no copy), as the data plane would move
// them. Timed from the page: call → every byte written (or read back into the page).
// `npm run bench:backends` → stdout, bench/out/backends.{json,md} and docs/benchmarks.md (section "backends").
import { it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { closeQuietly, guarded, openApp, servedBuild } from '../browser';
import { machine, median, writeSection } from '../report';

const repo = join(import.meta.dirname, '..', '..');
const PORT = 4306;
const ROUNDS = Number(process.env.ALGOBOX_BACKENDS_ROUNDS ?? 7);
const CASES: { label: string; n: number; bytes: number }[] = [
  { label: '30 × 1 MiB', n: 30, bytes: 1 << 20 },
  { label: '1 × 4 MiB', n: 1, bytes: 4 << 20 },
  { label: '64 × 2 MiB', n: 64, bytes: 2 << 20 },
];
const BACKENDS = ['IndexedDB', 'OPFS, a file per chunk', 'OPFS, a file per chunk + flush()', 'OPFS, one file'] as const;
type Backend = (typeof BACKENDS)[number];

/** The worker's source: OPFS writes and reads with SyncAccessHandles, buffers transferred both ways. */
const WORKER = `
let root;
async function dir() {
  root ??= await navigator.storage.getDirectory();
  return root.getDirectoryHandle('bench-backends', { create: true });
}
async function handle(d, name, create) {
  return (await d.getFileHandle(name, { create })).createSyncAccessHandle();
}
onmessage = async (e) => {
  const { id, op, layout, flush, names, bufs, size } = e.data;
  try {
    const d = await dir();
    if (op === 'write' && layout === 'files') {
      for (let i = 0; i < bufs.length; i++) {
        const h = await handle(d, names[i], true);
        h.truncate(0);
        h.write(new Uint8Array(bufs[i]), { at: 0 });
        if (flush) h.flush();
        h.close();
      }
      postMessage({ id, bufs }, bufs);
    } else if (op === 'write') {
      const h = await handle(d, 'all', true);
      h.truncate(0);
      let at = 0;
      for (const b of bufs) at += h.write(new Uint8Array(b), { at });
      if (flush) h.flush();
      h.close();
      postMessage({ id, bufs }, bufs);
    } else if (layout === 'files') {
      const out = [];
      for (const n of names) {
        const h = await handle(d, n, false);
        const b = new Uint8Array(h.getSize());
        h.read(b, { at: 0 });
        h.close();
        out.push(b.buffer);
      }
      postMessage({ id, bufs: out }, out);
    } else {
      const h = await handle(d, 'all', false);
      const out = [];
      for (let i = 0; i < names.length; i++) {
        const b = new Uint8Array(size);
        h.read(b, { at: i * size });
        out.push(b.buffer);
      }
      h.close();
      postMessage({ id, bufs: out }, out);
    }
  } catch (err) {
    postMessage({ id, error: String(err) });
  }
};`;

interface Timing {
  writeMs: number;
  readMs: number;
}

/** In the page: ROUNDS rounds of every backend (order rotating), the same chunks each time. */
function measure(page: Page, n: number, bytes: number, rounds: number) {
  return page.evaluate(
    async ([n, bytes, rounds, src, backends]) => {
      const worker = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
      let seq = 0;
      const call = (msg: Record<string, unknown>, transfer: ArrayBuffer[]) =>
        new Promise<ArrayBuffer[]>((resolve, reject) => {
          const id = ++seq;
          const on = (e: MessageEvent) => {
            if (e.data.id !== id) return;
            worker.removeEventListener('message', on);
            if (e.data.error) reject(new Error(e.data.error));
            else resolve(e.data.bufs);
          };
          worker.addEventListener('message', on);
          worker.postMessage({ ...msg, id }, transfer);
        });
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('bench-backends', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('chunks');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const done = (tx: IDBTransaction) =>
        new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
      let chunks = Array.from({ length: n }, (_, k) => {
        const b = new Uint8Array(bytes);
        for (let i = 0; i < bytes; i += 61) b[i] = (i + k) & 255;
        return b.buffer;
      });
      const names = chunks.map((_, k) => `c${k}`);
      const check = (got: ArrayBuffer[]) => {
        if (got.length !== n || got[n - 1]!.byteLength !== bytes || new Uint8Array(got[n - 1]!)[61] !== ((61 + n - 1) & 255))
          throw new Error('read back something else');
      };
      const run = async (b: string): Promise<{ writeMs: number; readMs: number }> => {
        const t0 = performance.now();
        if (b === 'IndexedDB') {
          const w = db.transaction('chunks', 'readwrite');
          chunks.forEach((c, k) => w.objectStore('chunks').put(c, k));
          await done(w);
        } else {
          chunks = await call({ op: 'write', layout: b === 'OPFS, one file' ? 'one' : 'files', flush: b.endsWith('flush()'), names, bufs: chunks }, chunks);
        }
        const t1 = performance.now();
        let got: ArrayBuffer[];
        if (b === 'IndexedDB') {
          const r = db.transaction('chunks', 'readonly');
          const reads = chunks.map((_, k) => r.objectStore('chunks').get(k));
          await done(r);
          got = reads.map((q) => q.result as ArrayBuffer);
        } else {
          got = await call({ op: 'read', layout: b === 'OPFS, one file' ? 'one' : 'files', names, size: bytes }, []);
        }
        const t2 = performance.now();
        check(got);
        return { writeMs: t1 - t0, readMs: t2 - t1 };
      };
      const out: Record<string, { writeMs: number; readMs: number }[]> = Object.fromEntries(backends.map((b) => [b, []]));
      for (let r = 0; r < rounds + 1; r++) {
        for (let i = 0; i < backends.length; i++) {
          const b = backends[(i + r) % backends.length]!;
          const t = await run(b);
          if (r > 0) out[b]!.push(t); // round 0 is the warm-up
        }
      }
      worker.terminate();
      db.close();
      return out;
    },
    [n, bytes, rounds, WORKER, [...BACKENDS]] as const,
  );
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

it('chunk bytes: IndexedDB vs OPFS (SyncAccessHandle in a worker)', async () => {
  const load0 = loadavg();
  const server = await servedBuild(PORT);
  const rows: string[] = [];
  const json: Record<string, Record<Backend, Timing[]>> = {};
  let chromiumVersion = '';
  try {
    for (const c of CASES) {
      const profile = mkdtempSync(join(tmpdir(), 'algobox-backends-profile-'));
      const { context, page } = await openApp(profile, PORT);
      try {
        const r = await guarded(page, () => measure(page, c.n, c.bytes, ROUNDS), 10 * 60 * 1000);
        if (!r.ok) throw new Error(`${c.label}: ${r.reason}`);
        json[c.label] = r.value as Record<Backend, Timing[]>;
        const idb = r.value['IndexedDB']!;
        const idbW = median(idb.map((t) => t.writeMs));
        const idbR = median(idb.map((t) => t.readMs));
        for (const b of BACKENDS) {
          const ts = r.value[b]!;
          const w = median(ts.map((t) => t.writeMs));
          const rd = median(ts.map((t) => t.readMs));
          const line = `| ${c.label} | ${b} | ${f1(w)} | ${f1(rd)} | ${f1(w + rd)} | ${b === 'IndexedDB' ? '1' : f2((w + rd) / (idbW + idbR))}× |`;
          console.log(line);
          rows.push(line);
        }
      } finally {
        await closeQuietly(context);
        rmSync(profile, { recursive: true, force: true });
      }
    }
    chromiumVersion = spawnSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout.trim();
  } finally {
    await server.close();
  }
  const load1 = loadavg();
  const md = `## Data plane: the chunk bytes' backend, IndexedDB vs OPFS

\`npm run bench:backends\` (bench/dataplane/backends.bench.ts). Issue 13: "only if IndexedDB cannot reach the numbers, measure
OPFS files (SyncAccessHandle in a worker) for the chunk bytes". The same chunks written, then read back, bare, in a page of the
app's origin (the production build served by \`vite preview\`, Debian's Chromium headless, a fresh on-disk profile per case):
**IndexedDB** = one record per chunk in one readwrite transaction, read in one readonly transaction (what the store does);
**OPFS** = a dedicated worker with one \`createSyncAccessHandle\` per chunk file (write, close; the \`flush()\` variant also
forces it to disk), or one file holding all the chunks at offsets (one handle: no per-file cost). The chunks go to the worker
and come back TRANSFERRED (no copy). Timed from the page. One warm-up round, then the median of ${ROUNDS}; backends in
rotating order.

Machine: ${machine()}. ${chromiumVersion} at /usr/bin/chromium.
Load average (1, 5, 15 min): ${load0.map(f2).join(', ')} at the start, ${load1.map(f2).join(', ')} at the end.
Measured ${new Date().toISOString().slice(0, 10)}.

| chunks | backend | write ms | read ms | write + read ms | against IndexedDB |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
  console.log(`\n${md}`);
  mkdirSync(join(repo, 'bench', 'out'), { recursive: true });
  writeFileSync(join(repo, 'bench', 'out', 'backends.json'), JSON.stringify({ machine: machine(), load0, load1, cases: json }, null, 1));
  writeFileSync(join(repo, 'bench', 'out', 'backends.md'), md);
  writeSection('backends', md);
});
