// bench/dataplane: today's data plane, the baseline issue 13 must improve (its "Numbers").
//  1. An identity Image2Image bundle over N float32 512² images in one execution, end to end (put the N
//     datasets, execute, wait for COMPLETED, read the N outputs back), installed from files (third
//     party: it runs in the opaque-origin sandbox) and as a built-in (same-origin module worker);
//     against writing and reading the same bytes with bare IndexedDB in the same page (a separate
//     database opened with the raw API, one record per image, write all in one transaction, then read
//     all in one). N = 30 and 100 (ALGOBOX_DATAPLANE_NS).
//  2. Otsu over one 2048² uint8 image: `execute()` of the built-in threshold_segmentation (otsu) to
//     COMPLETED, the dataset already stored; against scikit-image's np.load + threshold_otsu + mask +
//     np.save on the same image (.npy), timed inside /usr/bin/python3 in the same run.
// The real app: a production build served by `vite preview` (COOP/COEP), Debian's Chromium with a fresh
// on-disk profile per case (IndexedDB on disk, as for a user). A crashed tab or a stuck round is caught
// (timeouts) and reported, never waited on.
// `npm run bench:dataplane` → stdout, bench/out/dataplane.{json,md} and docs/benchmarks.md (section
// "dataplane-after"; the baseline's section "dataplane" stays as it was measured).
// ALGOBOX_DATAPLANE_ROUNDS (default 3 timed rounds after 1 warm-up) changes the plan.
import { it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { ndarray } from '../../src/core/ndarray';
import { encodeNpy } from '../../src/core/imageCodecs/index';
import { mulberry32 } from '../../src/core/sampleData';
import { closeQuietly, guarded, openApp as openBenchApp, servedBuild } from '../browser';
import { machine, median, writeSection } from '../report';

const repo = join(import.meta.dirname, '..', '..');
const PORT = 4304;
const ROUNDS = Number(process.env.ALGOBOX_DATAPLANE_ROUNDS ?? 3);
const WARMUP = 1;
const NS = (process.env.ALGOBOX_DATAPLANE_NS ?? '30,100').split(',').map(Number);
const SIDE = 512;
const OTSU_SIDE = 2048;
const OTSU_RUNS = 5;
const PY_RUNS = 7;
/** Per round (one page.evaluate): a round that takes longer is reported as stuck. */
const ROUND_TIMEOUT_MS = 5 * 60 * 1000;
const TARGET = 1.5;

const IDENTITY_FILES = (name: string): Record<string, string> => ({
  'pyproject.toml': `[project]
name = "${name}"
version = "1.0.0"

[tool.compox]
algorithm_type = "Image2Image"
tags = ["bench"]
description = "Returns its input (data-plane benchmark)."
supported_devices = ["cpu"]
default_device = "cpu"
additional_parameters = []
`,
  'Runner.js': `import { Image2ImageRunner } from "algobox";
export class Runner extends Image2ImageRunner {
  async inference(data) { return data; }
}`,
});

interface Round {
  /** datasets.putMany of the N inputs (one call). */
  putMs: number;
  /** execute() → executions.wait() resolved COMPLETED. */
  execMs: number;
  /** datasets.getMany of the N outputs (one call). */
  readMs: number;
  e2eMs: number;
  /** The same end to end with one datasets.put / datasets.get call per image. */
  singleE2eMs: number;
  bareWriteMs: number;
  bareReadMs: number;
  bareMs: number;
  timings: Record<string, number | undefined>;
}

interface IdentityCase {
  variant: 'third-party (sandbox)' | 'built-in';
  n: number;
  rounds: Round[];
  runnerKeys: string[];
  failure: string | null;
}

interface DataplaneState {
  algId: string;
  images: Float32Array[];
  db: IDBDatabase;
}

/** In the page: install the identity bundle, make the N images, open the bare database. */
function setupIdentity(page: Page, n: number, thirdParty: boolean, files: Record<string, string>) {
  return page.evaluate(
    async ([count, side, third, bundle]) => {
      const api = window.algobox;
      const alg = await api.algorithms.install(bundle, third ? {} : { builtin: true });
      if (third) await api.algorithms.trust(alg.id);
      const images = Array.from({ length: count }, (_, k) => {
        const d = new Float32Array(side * side);
        for (let i = 0; i < d.length; i++) d[i] = ((i * 31 + k * 977) % 1013) / 1013;
        return d;
      });
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('dataplane-bench-bare', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('images');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      (window as unknown as { __dataplane: DataplaneState }).__dataplane = { algId: alg.id, images, db };
      return { origin: alg.origin.kind };
    },
    [n, SIDE, thirdParty, files] as const,
  );
}

/** In the page: one round: the bare reference and the end-to-end run (order given), each checked, then cleaned up untimed. */
function identityRound(page: Page, bareFirst: boolean) {
  return page.evaluate(
    async ([first, side]) => {
      const api = window.algobox;
      const { algId, images, db } = (window as unknown as { __dataplane: DataplaneState }).__dataplane;
      const n = images.length;
      const txDone = (tx: IDBTransaction) =>
        new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
          tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
        });
      const bare = async () => {
        const t0 = performance.now();
        const w = db.transaction('images', 'readwrite');
        images.forEach((d, k) => w.objectStore('images').put(d, k));
        await txDone(w);
        const t1 = performance.now();
        const r = db.transaction('images', 'readonly');
        const got: Float32Array[] = [];
        images.forEach((_, k) => {
          const req = r.objectStore('images').get(k);
          req.onsuccess = () => (got[k] = req.result as Float32Array);
        });
        await txDone(r);
        const t2 = performance.now();
        if (got.length !== n || got[n - 1]!.length !== side * side || got[n - 1]![12345] !== images[n - 1]![12345])
          throw new Error('bare IndexedDB read back something else');
        const c = db.transaction('images', 'readwrite');
        c.objectStore('images').clear();
        await txDone(c);
        return { bareWriteMs: t1 - t0, bareReadMs: t2 - t1, bareMs: t2 - t0 };
      };
      const item = (d: Float32Array, k: number) => ({
        fields: { image: { dtype: 'float32' as const, shape: [side, side], data: d } },
        meta: { name: `dataplane ${k}`, schema: 'Image' as const },
      });
      const e2e = async (batched: boolean) => {
        const t0 = performance.now();
        const ids: string[] = [];
        if (batched) ids.push(...(await api.datasets.putMany(images.map(item))));
        else for (const [k, d] of images.entries()) ids.push(await api.datasets.put(item(d, k).fields, item(d, k).meta));
        const t1 = performance.now();
        const rec = await api.executions.wait(await api.execute({ algorithmId: algId, inputDatasetIds: ids, device: 'cpu', timeoutMs: 10 * 60 * 1000 }));
        const t2 = performance.now();
        if (rec.status !== 'COMPLETED') throw new Error(`execution ${rec.status}: ${rec.error?.message ?? ''}`);
        const outs: { data: ArrayLike<number> }[] = [];
        if (batched) outs.push(...(await api.datasets.getMany(rec.outputDatasetIds, ['image'])).map((r) => r.fields.image as { data: ArrayLike<number> }));
        else for (const o of rec.outputDatasetIds) outs.push((await api.datasets.get(o, ['image'])).fields.image as { data: ArrayLike<number> });
        const t3 = performance.now();
        if (outs.length !== n || outs[n - 1]!.data.length !== side * side || outs[n - 1]!.data[12345] !== images[n - 1]![12345])
          throw new Error('the identity run gave something else back');
        await api.datasets.delete([...ids, ...rec.outputDatasetIds]);
        return { putMs: t1 - t0, execMs: t2 - t1, readMs: t3 - t2, e2eMs: t3 - t0, timings: { ...rec.timings } };
      };
      // Order alternates between rounds: bare first, or algobox first; the per-call variant runs last (a note).
      const b1 = first ? await bare() : null;
      const e = await e2e(true);
      const b = b1 ?? (await bare());
      const single = await e2e(false);
      return { ...b, ...e, singleE2eMs: single.e2eMs };
    },
    [bareFirst, SIDE] as const,
  );
}

async function identityCase(variant: IdentityCase['variant'], n: number): Promise<IdentityCase> {
  const out: IdentityCase = { variant, n, rounds: [], runnerKeys: [], failure: null };
  const profile = mkdtempSync(join(tmpdir(), 'algobox-dataplane-profile-'));
  const { context, page } = await openBenchApp(profile, PORT);
  try {
    const thirdParty = variant !== 'built-in';
    const name = thirdParty ? 'dataplane_identity' : 'dataplane_identity_builtin';
    const setup = await guarded(page, () => setupIdentity(page, n, thirdParty, IDENTITY_FILES(name)), ROUND_TIMEOUT_MS);
    if (!setup.ok) {
      out.failure = `setup: ${setup.reason}`;
      return out;
    }
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      const label = round < WARMUP ? 'warm-up' : `round ${round - WARMUP + 1}/${ROUNDS}`;
      const r = await guarded(page, () => identityRound(page, round % 2 === 0), ROUND_TIMEOUT_MS);
      if (!r.ok) {
        out.failure = `${label}: ${r.reason}`;
        console.log(`  ${variant}, N=${n}, ${label}: FAILED: ${r.reason}`);
        return out;
      }
      const v = r.value;
      console.log(
        `  ${variant}, N=${n}, ${label}: end to end ${v.e2eMs.toFixed(0)} ms (put ${v.putMs.toFixed(0)}, execute ${v.execMs.toFixed(0)}, read ${v.readMs.toFixed(0)}; per call ${v.singleE2eMs.toFixed(0)}); bare ${v.bareMs.toFixed(0)} ms (write ${v.bareWriteMs.toFixed(0)}, read ${v.bareReadMs.toFixed(0)}); ${(v.e2eMs / v.bareMs).toFixed(2)}×`,
      );
      if (round >= WARMUP) out.rounds.push(v);
    }
    const stats = await guarded(page, () => page.evaluate(async () => (await window.algobox.stats()).runners.map((r) => r.key)), 30_000);
    if (stats.ok) out.runnerKeys = stats.value;
    return out;
  } finally {
    await closeQuietly(context);
    rmSync(profile, { recursive: true, force: true });
  }
}

/** A bimodal 2048² uint8 image: bright disks on a textured background plus noise (deterministic). */
function otsuImage(): Uint8Array {
  const r = mulberry32(13);
  const out = new Uint8Array(OTSU_SIDE * OTSU_SIDE);
  const cell = 128;
  for (let y = 0; y < OTSU_SIDE; y++)
    for (let x = 0; x < OTSU_SIDE; x++) {
      const dx = (x % cell) - cell / 2;
      const dy = (y % cell) - cell / 2;
      const inside = dx * dx + dy * dy < (cell / 3) ** 2;
      const base = inside ? 165 : 55 + ((x * 7 + y * 13) % 31);
      out[y * OTSU_SIDE + x] = Math.max(0, Math.min(255, Math.round(base + (r() - 0.5) * 70)));
    }
  return out;
}

interface OtsuResult {
  runs: { ms: number; timings: Record<string, number | undefined> }[];
  maskSum: number;
  failure: string | null;
}

async function otsuCase(image: Uint8Array): Promise<OtsuResult> {
  const out: OtsuResult = { runs: [], maskSum: -1, failure: null };
  const profile = mkdtempSync(join(tmpdir(), 'algobox-dataplane-profile-'));
  const { context, page } = await openBenchApp(profile, PORT);
  try {
    const put = await guarded(
      page,
      () =>
        page.evaluate(
          async ([b64, side]) => {
            const api = window.algobox;
            const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const id = await api.datasets.put({ image: { dtype: 'uint8', shape: [side, side], data } }, { name: 'otsu 2048', schema: 'Image' });
            const alg = await api.algorithms.get('threshold_segmentation');
            (window as unknown as { __otsu: { id: string; alg: string } }).__otsu = { id, alg: alg.id };
          },
          [Buffer.from(image).toString('base64'), OTSU_SIDE] as const,
        ),
      ROUND_TIMEOUT_MS,
    );
    if (!put.ok) {
      out.failure = `put: ${put.reason}`;
      return out;
    }
    for (let i = 0; i < WARMUP + OTSU_RUNS; i++) {
      const r = await guarded(
        page,
        () =>
          page.evaluate(async () => {
            const api = window.algobox;
            const { id, alg } = (window as unknown as { __otsu: { id: string; alg: string } }).__otsu;
            const t0 = performance.now();
            const rec = await api.executions.wait(
              await api.execute({ algorithmId: alg, inputDatasetIds: [id], args: { thresholding_algorithm: 'otsu' }, device: 'cpu' }),
            );
            const ms = performance.now() - t0;
            if (rec.status !== 'COMPLETED') throw new Error(`execution ${rec.status}: ${rec.error?.message ?? ''}`);
            const mask = (await api.datasets.get(rec.outputDatasetIds[0]!, ['mask'])).fields.mask as { data: Uint8Array };
            let sum = 0;
            for (const v of mask.data) sum += v;
            await api.datasets.delete(rec.outputDatasetIds);
            return { ms, timings: { ...rec.timings }, maskSum: sum };
          }),
        ROUND_TIMEOUT_MS,
      );
      if (!r.ok) {
        out.failure = `run ${i + 1}: ${r.reason}`;
        return out;
      }
      console.log(
        `  otsu 2048² ${i < WARMUP ? 'warm-up' : `run ${i - WARMUP + 1}/${OTSU_RUNS}`}: ${r.value.ms.toFixed(1)} ms ${JSON.stringify(r.value.timings)}`,
      );
      out.maskSum = r.value.maskSum;
      if (i >= WARMUP) out.runs.push({ ms: r.value.ms, timings: r.value.timings });
    }
    return out;
  } finally {
    await closeQuietly(context);
    rmSync(profile, { recursive: true, force: true });
  }
}

const f0 = (x: number) => x.toFixed(0);
const f2 = (x: number) => x.toFixed(2);

it('data plane: identity Image2Image vs bare IndexedDB, Otsu execute() vs scikit-image', async () => {
  const load0 = loadavg();
  console.log(`load average at start: ${load0.map(f2).join(', ')}`);
  if (spawnSync('/usr/bin/python3', ['-c', 'import skimage'], { stdio: 'ignore' }).status !== 0)
    throw new Error('bench:dataplane needs scikit-image under /usr/bin/python3: apt-get install -y python3-skimage');
  const started = Date.now();

  // scikit-image on the Otsu image, in this run.
  const dir = mkdtempSync(join(tmpdir(), 'algobox-dataplane-'));
  const image = otsuImage();
  writeFileSync(join(dir, 'otsu.npy'), encodeNpy(ndarray('uint8', [OTSU_SIDE, OTSU_SIDE], image)));
  const py = JSON.parse(
    execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'skimage_otsu.py'), join(dir, 'otsu.npy'), dir, String(PY_RUNS)], { encoding: 'utf8' }),
  ) as { skimage: string; numpy: string; python: string; times_ms: number[]; median_ms: number; threshold: number; mask_sum: number };
  console.log(
    `scikit-image ${py.skimage}: load + threshold_otsu + mask + save, median ${f2(py.median_ms)} ms of ${PY_RUNS} (threshold ${py.threshold}, ${py.mask_sum} pixels above)`,
  );
  rmSync(dir, { recursive: true, force: true });

  const server = await servedBuild(PORT);
  const identity: IdentityCase[] = [];
  let otsu: OtsuResult;
  let chromiumVersion = '';
  try {
    otsu = await otsuCase(image);
    for (const n of NS)
      for (const variant of ['third-party (sandbox)', 'built-in'] as const) {
        console.log(`identity Image2Image, ${variant}, N=${n}`);
        identity.push(await identityCase(variant, n));
      }
    chromiumVersion = spawnSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout.trim();
  } finally {
    await server.close();
  }
  const load1 = loadavg();
  console.log(`load average at end: ${load1.map(f2).join(', ')}`);

  const identityRows = identity.map((c) => {
    const rs = c.rounds;
    const cell = (k: keyof Round) => (rs.length ? f0(median(rs.map((r) => r[k] as number))) : '—');
    const e2e = rs.length ? median(rs.map((r) => r.e2eMs)) : NaN;
    const bare = rs.length ? median(rs.map((r) => r.bareMs)) : NaN;
    const ratio = e2e / bare;
    const where = c.runnerKeys.length ? (c.runnerKeys.some((k) => k.endsWith('|sandbox')) ? '; ran in the sandbox' : '; ran unsandboxed') : '';
    const single = rs.length ? median(rs.map((r) => r.singleE2eMs)) : NaN;
    const perCall = Number.isFinite(single) ? `; one put/get call per image: ${f0(single)} ms (${f2(single / bare)}×)` : '';
    const note = c.failure ? `**${c.failure}**${rs.length ? ` (after ${rs.length} timed rounds)` : ''}` : `${rs.length} rounds${where}${perCall}`;
    const verdict = Number.isFinite(ratio) && !c.failure ? (ratio <= TARGET ? 'met' : '**missed**') : '**failed**';
    const stage = (k: string) => (rs.length ? f0(median(rs.map((r) => r.timings[k] ?? NaN))) : '—');
    return `| identity Image2Image, ${c.variant} | ${c.n} × ${SIDE}² float32 (${c.n} MiB) | ${cell('e2eMs')} | ${cell('putMs')} / ${cell('execMs')} / ${cell('readMs')} | ${stage('preprocess')} / ${stage('postprocess')} | ${cell('bareMs')} (${cell('bareWriteMs')} / ${cell('bareReadMs')}) | ${Number.isFinite(ratio) ? `${f2(ratio)}×` : '—'} | ≤ ${TARGET}× | ${verdict} | ${note} |`;
  });
  const otsuMs = otsu.runs.length ? median(otsu.runs.map((r) => r.ms)) : NaN;
  const phase = (k: string) => (otsu.runs.length ? f0(median(otsu.runs.map((r) => r.timings[k] ?? NaN))) : '—');
  const otsuRatio = otsuMs / py.median_ms;
  const otsuVerdict = Number.isFinite(otsuRatio) && !otsu.failure ? (otsuRatio <= TARGET ? 'met' : '**missed**') : '**failed**';
  const sameMask = otsu.maskSum === py.mask_sum ? 'same mask pixel count as scikit-image' : `mask pixel count ${otsu.maskSum} vs scikit-image ${py.mask_sum}`;
  const minutes = (Date.now() - started) / 60000;

  const md = `## Data plane after issue 13 (chunked store, transfers, chunk cache)

\`npm run bench:dataplane\` (bench/dataplane), the same cases as the baseline above, on the chunked data plane: array fields are
Zarr v3 chunks in IndexedDB, deduplicated by digest; inputs and outputs move between the engine and runners as transferred
buffers; chunks just written or read are kept in the in-memory chunk cache (src/store/chunkCache.ts, 128 MiB), so a run over
data just stored, and a read of outputs just posted, do not go back to IndexedDB. The production build served by
\`vite preview\` (COOP/COEP), Debian's Chromium headless with a fresh on-disk profile per case; one warm-up, then the median of
${ROUNDS} timed rounds (identity) or ${OTSU_RUNS} runs (Otsu; scikit-image: median of ${PY_RUNS} after a warm-up, timed inside Python).

- **Identity Image2Image**: an Image2Image bundle whose \`inference\` returns its input, installed from files (third party: the
  opaque-origin sandbox, trusted through \`algorithms.trust\`) or with \`{ builtin: true }\` (same-origin module worker). **End to end**
  = \`datasets.putMany\` of the N images (one call, one transaction, as the bare write) + \`execute\` of one run over all N →
  \`executions.wait\` COMPLETED + \`datasets.getMany\` of the N outputs (one call); the note gives the same with one
  \`datasets.put\` / \`datasets.get\` call per image, as the baseline above measured (the runner worker stays warm between rounds). **Bare** = the same N
  Float32Arrays written to a separate IndexedDB database opened with the raw API (one record per image, all in one readwrite
  transaction), then read back (one readonly transaction). Both in the same page, in the same round (order alternating);
  inputs and outputs are deleted after each round, untimed. Outputs are byte-identical to the inputs, so content addressing
  stores their bytes once.
- **Otsu**: \`execute()\` of the built-in \`threshold_segmentation\` (\`thresholding_algorithm = "otsu"\`) on one stored 2048² uint8
  image → \`executions.wait\` COMPLETED (the mask is then read and counted, untimed), against scikit-image's \`np.load\` +
  \`threshold_otsu\` + \`image > t\` + \`np.save\` on the same image as .npy.

Machine: ${machine()}. ${chromiumVersion || 'Chromium'} at /usr/bin/chromium; scikit-image ${py.skimage}, numpy ${py.numpy}, Python ${py.python}.
Load average (1, 5, 15 min): ${load0.map(f2).join(', ')} at the start, ${load1.map(f2).join(', ')} at the end (a shared 2-core machine).
Whole run ${minutes.toFixed(1)} min. Measured ${new Date().toISOString().slice(0, 10)}.

| figure | data | end to end ms | put / execute→COMPLETED / read ms | runner preprocess / postprocess ms | bare IndexedDB ms (write / read) | ratio | target | | note |
|---|---|---|---|---|---|---|---|---|---|
${identityRows.join('\n')}

| figure | data | algobox ms: execute() → COMPLETED | runner timings ms (load / preprocess / inference / postprocess / total) | scikit-image ms | ratio | target | | note |
|---|---|---|---|---|---|---|---|---|
| Otsu, built-in threshold_segmentation | 1 × ${OTSU_SIDE}² uint8 (4 MiB) | ${Number.isFinite(otsuMs) ? f0(otsuMs) : '—'} | ${phase('load')} / ${phase('preprocess')} / ${phase('inference')} / ${phase('postprocess')} / ${phase('total')} | ${f2(py.median_ms)} | ${Number.isFinite(otsuRatio) ? `${f2(otsuRatio)}×` : '—'} | ≤ ${TARGET}× | ${otsuVerdict} | ${otsu.failure ? `**${otsu.failure}**; ` : ''}${sameMask} |
`;
  console.log(`\n${md}`);
  mkdirSync(join(repo, 'bench', 'out'), { recursive: true });
  writeFileSync(
    join(repo, 'bench', 'out', 'dataplane.json'),
    JSON.stringify(
      { machine: machine(), chromium: chromiumVersion, loadavgStart: load0, loadavgEnd: load1, rounds: ROUNDS, warmup: WARMUP, identity, otsu, skimage: py },
      null,
      1,
    ),
  );
  writeFileSync(join(repo, 'bench', 'out', 'dataplane.md'), md);
  writeSection('dataplane-after', md);
});
