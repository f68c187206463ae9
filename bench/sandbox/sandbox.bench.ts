// bench/sandbox: what the third-party sandbox costs. The same bundle runs as a built-in (first
// party: same-origin module worker, ORT imported from its URL) and as a third-party copy (the
// opaque-origin sandboxed iframe: classic blob worker, ORT from transferred bytes with wasmBinary),
// in the real app (a production build served by `vite preview` with COOP/COEP), each variant in a
// fresh browser context. Per variant: the cold run (worker start, module + loadAssets incl. model
// session, inference, total) and warm runs on the cached runner. Variants interleave per round so a
// change in the shared machine's load hits them alike.
// `npm run bench:sandbox` → stdout and bench/out/sandbox.json (docs/security.md quotes the figures).
// ALGOBOX_SANDBOX_BENCH_ROUNDS (default 3) and ALGOBOX_SANDBOX_BENCH_WARM (default 5) change the plan.
import { it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { servedBuild } from '../browser';
import { machine, median } from '../report';

const repo = join(import.meta.dirname, '..', '..');
const PORT = 4303;
const ROUNDS = Number(process.env.ALGOBOX_SANDBOX_BENCH_ROUNDS ?? 3);
const WARM = Number(process.env.ALGOBOX_SANDBOX_BENCH_WARM ?? 5);

interface Variant {
  label: string;
  bundle: 'salient_segmentation' | 'threshold_segmentation';
  thirdParty: boolean;
}

const VARIANTS: Variant[] = [
  { label: 'U²-Net-p (salient_segmentation), built-in', bundle: 'salient_segmentation', thirdParty: false },
  { label: 'U²-Net-p (salient_segmentation), third-party (sandbox)', bundle: 'salient_segmentation', thirdParty: true },
  { label: 'threshold_segmentation (otsu, 1024²), built-in', bundle: 'threshold_segmentation', thirdParty: false },
  { label: 'threshold_segmentation (otsu, 1024²), third-party (sandbox)', bundle: 'threshold_segmentation', thirdParty: true },
];

const FILES: Record<Variant['bundle'], string[]> = {
  salient_segmentation: ['pyproject.toml', 'Runner.js', 'salient/rgb.js', 'files/u2netp.onnx', 'README.md'],
  threshold_segmentation: ['pyproject.toml', 'Runner.js', 'image_segmentation/segmentation_utils.js', 'image_segmentation/out_of_core.js', 'README.md'],
};

interface Sample {
  /** Execution created → STARTED: worker (and, in the sandbox, frame) start and init. */
  startMs: number;
  /** Module link + loadAssets (for the model: ORT load, wasm compile, session create). */
  loadMs: number;
  /** "Loaded model … in N ms" (session create alone), when there is a model. */
  sessionMs: number | null;
  inferenceMs: number;
  totalMs: number;
  warmInferenceMs: number;
  warmTotalMs: number;
}

/** In the page: install the third-party copy if asked, then one cold run and `warm` warm runs. */
async function measure(page: Page, v: Variant, warm: number): Promise<Sample> {
  return page.evaluate(
    async ([bundle, thirdParty, files, warmRuns]) => {
      const api = window.algobox;
      let id = (await api.algorithms.get(bundle)).id;
      if (thirdParty) {
        const got: Record<string, Uint8Array | string> = {};
        for (const p of files) got[p] = new Uint8Array(await (await fetch(`bundles/${bundle}/${p}`)).arrayBuffer());
        got['pyproject.toml'] = new TextDecoder()
          .decode(got['pyproject.toml'] as Uint8Array)
          .replace(`name = "${bundle}"`, `name = "${bundle}_third_party"`)
          .replace(/files = \[[^\]]*\]/, `files = ${JSON.stringify(files.filter((f) => !f.endsWith('.js') && f !== 'pyproject.toml'))}`)
          .replace(/\[\[tool\.algobox\.tests\]\][\s\S]*$/, '');
        id = (await api.algorithms.install(got)).id;
      }
      const salient = bundle === 'salient_segmentation';
      const n = salient ? 320 : 1024;
      const data = new Uint8Array((salient ? 3 : 1) * n * n);
      for (let i = 0; i < data.length; i++) {
        const p = i % (n * n);
        const x = p % n;
        const y = (p - x) / n;
        data[i] = (x - n / 2) ** 2 + (y - n / 2) ** 2 < (n / 4) ** 2 ? 200 + (i % 17) : 40 + ((x * 7 + y * 13) % 31);
      }
      const img = await api.datasets.put({ image: { dtype: 'uint8', shape: salient ? [3, n, n] : [n, n], data } }, { schema: 'Image' });
      const once = async () => {
        const t0 = performance.now();
        const rec = await api.executions.wait(await api.execute({ algorithmId: id, inputDatasetIds: [img], device: 'cpu' }));
        const totalMs = performance.now() - t0;
        if (rec.status !== 'COMPLETED') throw new Error(`${bundle}: ${rec.status}: ${rec.error?.message}`);
        return { rec, totalMs };
      };
      const cold = await once();
      const loaded = cold.rec.log.map((l) => /^Loaded model .* in (\d+) ms\.$/.exec(l.message)).find(Boolean);
      const warmInf: number[] = [];
      const warmTot: number[] = [];
      for (let i = 0; i < warmRuns; i++) {
        const w = await once();
        warmInf.push(w.rec.timings.inference ?? NaN);
        warmTot.push(w.totalMs);
      }
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      return {
        startMs: Date.parse(cold.rec.timeStarted!) - Date.parse(cold.rec.timeCreated),
        loadMs: cold.rec.timings.load ?? NaN,
        sessionMs: loaded ? Number(loaded[1]) : null,
        inferenceMs: cold.rec.timings.inference ?? NaN,
        totalMs: cold.totalMs,
        warmInferenceMs: med(warmInf),
        warmTotalMs: med(warmTot),
      };
    },
    [v.bundle, v.thirdParty, FILES[v.bundle], warm] as const,
  );
}

const fmt = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${Math.round(median(s))} (${Math.round(s[0]!)}–${Math.round(s[s.length - 1]!)})`;
};

it('sandbox vs first-party worker', async () => {
  const server = await servedBuild(PORT);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--disable-quic'] });
  const samples = new Map<string, Sample[]>(VARIANTS.map((v) => [v.label, []]));
  const load0 = loadavg()[0]!;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      for (const v of order) {
        const context = await browser.newContext({ baseURL: `http://127.0.0.1:${PORT}/` });
        const page = await context.newPage();
        await page.goto('/');
        await page.waitForFunction(() => (window as unknown as { algobox?: unknown }).algobox !== undefined);
        await page.evaluate(() => window.algobox.ready);
        const s = await measure(page, v, WARM);
        samples.get(v.label)!.push(s);
        console.log(`round ${round + 1} ${v.label}: ${JSON.stringify(s)}`);
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const rows = VARIANTS.map((v) => {
    const xs = samples.get(v.label)!;
    const col = (k: keyof Sample) => (xs.some((x) => x[k] === null) ? 'n/a' : fmt(xs.map((x) => x[k] as number)));
    return `| ${v.label} | ${col('startMs')} | ${col('loadMs')} | ${col('sessionMs')} | ${col('inferenceMs')} | ${col('totalMs')} | ${col('warmInferenceMs')} | ${col('warmTotalMs')} |`;
  });
  const table = [
    `Machine: ${machine()}; Chromium at /usr/bin/chromium, headless; load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} (shared machine).`,
    `${ROUNDS} rounds, each variant in a fresh browser context; median over rounds (min–max), ms. Warm = median of ${WARM} runs on the cached runner.`,
    '',
    '| variant | worker start | load (module + loadAssets) | model session | 1st inference | cold total | warm inference | warm total |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  console.log(`\n${table}\n`);
  mkdirSync(join(repo, 'bench', 'out'), { recursive: true });
  writeFileSync(join(repo, 'bench', 'out', 'sandbox.json'), JSON.stringify({ rounds: ROUNDS, warm: WARM, samples: Object.fromEntries(samples) }, null, 1));
  writeFileSync(join(repo, 'bench', 'out', 'sandbox.md'), `${table}\n`);
});
