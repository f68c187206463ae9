// User BEAT blocks run in the opaque-origin sandbox (docs/security.md, "BEAT blocks"). Each attack
// test installs its own malicious block through window.algobox (so its origin is 'user'), runs it in
// a toolchain, and checks that the block ends FAILED (or CANCELLED) with a clear message, that every
// dataset is unchanged (SHA-256 of all fields before and after), that the app stays responsive (an
// evaluate within a second and a UI click), that no prototype of the page was polluted, and that
// NOTHING reached a canary: neither a route on the app's own origin (/canary/**) nor a separate HTTP
// server this file starts on another port. The positive test runs the same block code as a user
// block (sandbox) and as a built-in (module worker) and gets the same outputs, with live process()
// counts arriving through toolchains.subscribe.
import { expect, test, type Page } from '@playwright/test';
import { datasetHashes, openApp } from './util';
import { useCanaries } from './canary';
import { expectClean, expectNothingSent, expectResponsive, expectResponsiveOverCdp, openLowMemoryApp, PROBE } from './sandboxChecks';
import { CODE_PROBES, expectProbes, NETWORK_PROBES, probeCalls, STORAGE_PROBES } from './sandboxProbes';

// ── canaries ──

const canary = useCanaries();

// ── blocks ──

/** One int32 input `x`; outputs: a 2×2 uint8 `mask` filled with x, and `y` = 2x. */
const DECL = {
  language: 'javascript',
  api_version: 2,
  type: 'sequential',
  groups: [{ inputs: { x: { type: 'system/int32/1' } }, outputs: { mask: { type: 'system/array_2d_uint8/1' }, y: { type: 'system/int32/1' } } }],
};

/** A block whose process() runs `body` first (with `C` = the canary URLs), then writes its outputs. */
function block(body: string, before = ''): string {
  return `const C = ${JSON.stringify(canary.urls())};
${before}
export class Algorithm {
  async process(inputs, loaders, outputs) {
    const x = inputs.get('x').data.value;
    ${body}
    outputs.get('mask').write({ value: { dtype: 'uint8', shape: [2, 2], data: new Uint8Array(4).fill(x) } });
    outputs.get('y').write({ value: 2 * x });
    return true;
  }
}`;
}

interface BlockResult {
  runId: string;
  status: string;
  block: string;
  code: string | null;
  error: string | null;
  processCalls: number;
}

/** Install `source` as a user block named `name` and run it on the values `xs` (one unit each). */
async function runBlock(
  page: Page,
  name: string,
  source: string,
  opts: { xs?: number[]; blockTimeoutMs?: number | null; builtin?: boolean } = {},
): Promise<BlockResult> {
  return page.evaluate(
    async ([decl, n, src, o]) => {
      const api = window.algobox;
      await api.blocks.install(decl, src, { name: n, builtin: o.builtin ?? false });
      const t = {
        name: n,
        sources: [{ name: 'x', values: (o.xs ?? [5]).map((value) => ({ value })), format: 'system/int32/1' }],
        blocks: [{ name: 'S', algorithm: n }],
      };
      const runId = await api.toolchains.run(t, o.blockTimeoutMs === undefined ? {} : { blockTimeoutMs: o.blockTimeoutMs });
      const rec = await api.toolchains.wait(runId);
      const b = rec.blocks.S!;
      return { runId, status: rec.status, block: b.status, code: b.error?.code ?? null, error: b.error?.message ?? null, processCalls: b.processCalls };
    },
    [DECL, name, source, opts] as const,
  );
}

/** The summary a block reports by throwing Error("RESULT " + JSON): parsed. */
function results(r: BlockResult): Record<string, string> {
  expect(r.status).toBe('FAILED');
  expect(r.block).toBe('FAILED');
  const m = /^block 'S' failed \(process\): RESULT (.*)$/s.exec(r.error ?? '');
  expect(m, r.error ?? '').not.toBeNull();
  return JSON.parse(m![1]!) as Record<string, string>;
}

const blockFrames = (page: Page) => page.evaluate(() => document.querySelectorAll('iframe[data-algobox-sandbox-kind="block"]').length);

// ── checks ──

// ── the positive test ──

test('a user block runs in the sandbox: the same outputs as the built-in copy, live process() counts through subscribe', async ({ page }) => {
  const problems = await openApp(page);
  const before = await datasetHashes(page);
  const source = block('await new Promise((r) => setTimeout(r, 20));');
  const r = await page.evaluate(
    async ([decl, src]) => {
      const api = window.algobox;
      const xs = Array.from({ length: 40 }, (_, k) => k);
      const run = async (name: string, builtin: boolean) => {
        await api.blocks.install(decl, src, { name, builtin });
        const t = {
          name,
          sources: [{ name: 'x', values: xs.map((value) => ({ value })), format: 'system/int32/1' }],
          blocks: [{ name: 'S', algorithm: name }],
        };
        const id = await api.toolchains.run(t, { parts: 1 });
        const seen: { status: string; calls: number }[] = [];
        let frames: { sandbox: string | null; allow: string | null; srcdoc: string }[] = [];
        await new Promise<void>((resolve) => {
          const off = api.toolchains.subscribe(id, (rec) => {
            seen.push({ status: rec.status, calls: rec.blocks.S!.processCalls });
            if (rec.blocks.S!.processCalls > 0 && frames.length === 0) {
              frames = [...document.querySelectorAll('iframe[data-algobox-sandbox-kind="block"]')].map((f) => ({
                sandbox: f.getAttribute('sandbox'),
                allow: f.getAttribute('allow'),
                srcdoc: (f as HTMLIFrameElement).srcdoc,
              }));
            }
            if (rec.status !== 'RUNNING') {
              off();
              resolve();
            }
          });
        });
        const rec = await api.toolchains.get(id);
        const values: Record<string, number[][]> = {};
        for (const [output, stream] of Object.entries(rec.blocks.S!.outputs)) {
          values[output] = [];
          for (const dsId of stream.datasetIds)
            values[output]!.push(Array.from(((await api.datasets.get(dsId)).fields.value as { data: ArrayLike<number> }).data));
        }
        return { status: rec.status, calls: rec.blocks.S!.processCalls, indices: rec.blocks.S!.outputs.y!.indices, seen, frames, values };
      };
      // The built-in first: the user block's worker stays in its pool (and its frame on the page) afterwards.
      const builtin = await run('builtin/twice_copy/1', true);
      return { builtin, user: await run('user/twice/1', false) };
    },
    [DECL, source] as const,
  );
  expect(r.user.status).toBe('DONE');
  expect(r.builtin.status).toBe('DONE');
  expect(r.user.calls).toBe(40);
  // The same code, sandboxed or not, gives the same outputs.
  expect(r.user.values).toEqual(r.builtin.values);
  expect(r.user.values.y).toEqual(Array.from({ length: 40 }, (_, k) => [2 * k]));
  expect(r.user.values.mask![3]).toEqual([3, 3, 3, 3]);
  expect(r.user.indices).toEqual(Array.from({ length: 40 }, (_, k) => [k, k]));
  // Live progress from inside the sandbox: several increasing counts while it ran, then the final record.
  const live = r.user.seen.filter((x) => x.status === 'RUNNING' && x.calls > 0 && x.calls < 40).map((x) => x.calls);
  expect(live.length).toBeGreaterThanOrEqual(2);
  expect(live).toEqual([...live].sort((a, b) => a - b));
  expect(r.user.seen.at(-1)).toEqual({ status: 'DONE', calls: 40 });
  // The user block ran in a sandbox frame: opaque origin, hash-pinned CSP with no network; the built-in in none.
  expect(r.user.frames).toHaveLength(1);
  expect(r.user.frames[0]!.sandbox).toBe('allow-scripts');
  expect(r.user.frames[0]!.allow).toBe('cross-origin-isolated');
  expect(r.user.frames[0]!.srcdoc).toMatch(/content="default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]{43}=' blob: 'wasm-unsafe-eval'; worker-src blob:"/);
  expect(r.builtin.frames).toEqual([]);
  // Datasets that existed are unchanged (the runs added their outputs).
  const after = await datasetHashes(page);
  for (const [id, hash] of Object.entries(before)) expect(after[id]).toBe(hash);
  await expectNothingSent(canary);
  expect(problems).toEqual([]);
});

// ── attacks ──

test('block attack 1: IndexedDB, Cache Storage, localStorage and other storage are out of reach', async ({ page }) => {
  await openApp(page);
  const before = await datasetHashes(page);
  await page.evaluate(() => {
    const w = window as unknown as { heard: unknown[] };
    w.heard = [];
    new BroadcastChannel('algobox').onmessage = (e) => w.heard.push(e.data);
  });
  const r = await runBlock(
    page,
    'user/storage_thief/1',
    block(`${PROBE}
    ${probeCalls(STORAGE_PROBES)}
    throw new Error("RESULT " + JSON.stringify(out));`),
  );
  expectProbes(results(r), STORAGE_PROBES);
  expect(await page.evaluate(() => (window as unknown as { heard: unknown[] }).heard)).toEqual([]);
  await expectResponsive(page);
  await expectClean(page, before, canary);
});

test('block attack 2: fetch, XHR, WebSocket, EventSource, workers, importScripts and imports cannot reach a local server or the app origin', async ({
  page,
}) => {
  await openApp(page);
  const before = await datasetHashes(page);
  const r = await runBlock(
    page,
    'user/exfiltrator/1',
    block(`${PROBE}
    const stolen = String(x);
    ${probeCalls([...NETWORK_PROBES, ...CODE_PROBES])}
    throw new Error("RESULT " + JSON.stringify(out));`),
  );
  expectProbes(results(r), [...NETWORK_PROBES, ...CODE_PROBES]);

  // Imports in the module itself are refused by the linker in the sandbox; the block fails at setup.
  const staticImport = await runBlock(page, 'user/net_static/1', block('', `import { x as y } from "${canary.urls().node}.js";`));
  expect(staticImport.block).toBe('FAILED');
  expect(staticImport.error).toMatch(
    /^block 'S' failed \(setup\): block\.js imports 'http:\/\/127\.0\.0\.1:\d+\/canary\/x\.js'\. Bundle code may not load code from the network/,
  );
  const dynamicImport = await runBlock(page, 'user/net_dynamic/1', block(`await import("${canary.urls().app}.js");`));
  expect(dynamicImport.block).toBe('FAILED');
  expect(dynamicImport.error).toMatch(
    /^block 'S' failed \(setup\): block\.js imports 'http:\/\/127\.0\.0\.1:\d+\/canary\/x\.js'\. Bundle code may not load code from the network/,
  );
  await expectResponsive(page);
  await expectClean(page, before, canary);
});

test('block attack 3: an infinite loop is stopped by the time limit, or by cancel; the app stays responsive meanwhile', async ({ page }) => {
  await openApp(page);
  const before = await datasetHashes(page);
  const spin = block('for (;;) {}');
  const t0 = Date.now();
  const limited = runBlock(page, 'user/spinner/1', spin, { blockTimeoutMs: 3000 });
  await expect.poll(() => blockFrames(page)).toBe(1);
  await expectResponsive(page);
  const r = await limited;
  expect(Date.now() - t0).toBeLessThan(20_000);
  expect(r.status).toBe('FAILED');
  expect(r.block).toBe('FAILED');
  expect(r.error).toBe("block 'S' failed: the job of block 'user/spinner/1' exceeded its time limit of 3000 ms; its worker was stopped.");
  // The frame (and with it the spinning worker) is gone.
  expect(await blockFrames(page)).toBe(0);

  // Cancelled while it spins (the default limit, 10 minutes, is far away).
  const runId = await page.evaluate(async (src) => {
    const api = window.algobox;
    await api.blocks.install(
      {
        language: 'javascript',
        api_version: 2,
        type: 'sequential',
        groups: [{ inputs: { x: { type: 'system/int32/1' } }, outputs: { y: { type: 'system/int32/1' } } }],
      },
      src,
      { name: 'user/spinner2/1' },
    );
    return api.toolchains.run({
      sources: [{ name: 'x', values: [{ value: 1 }], format: 'system/int32/1' }],
      blocks: [{ name: 'S', algorithm: 'user/spinner2/1' }],
    });
  }, 'export class Algorithm { process() { for (;;) {} } }');
  await expect.poll(() => blockFrames(page)).toBe(1);
  await expect.poll(async () => page.evaluate(async (id) => (await window.algobox.toolchains.get(id)).blocks.S!.status, runId)).toBe('RUNNING');
  await expectResponsive(page);
  const cancelled = await page.evaluate(async (id) => {
    const rec = await window.algobox.toolchains.cancel(id);
    return { status: rec.status, error: rec.error, block: rec.blocks.S };
  }, runId);
  expect(cancelled.status).toBe('CANCELLED');
  expect(cancelled.error).toBe('The run was cancelled by the user.');
  expect(cancelled.block).toMatchObject({ status: 'CANCELLED', error: { code: 'E_CANCELLED', message: "block 'S': cancelled by the user" } });
  expect(await blockFrames(page)).toBe(0);
  await expectResponsive(page);
  await expectClean(page, before, canary);
});

test('block attack 4: forged runs (wrong dtype or shape, extra outputs, polluted objects, a proxy reply) fail their block, naming what is wrong', async ({
  page,
}) => {
  await openApp(page);
  const before = await datasetHashes(page);
  // The block rewrites the reply its host sends to the engine (the run of executeBlock) before it leaves the worker.
  const forge = (rewrite: string) =>
    block(`
    if (!self.__forging) {
      self.__forging = true;
      const orig = MessagePort.prototype.postMessage;
      MessagePort.prototype.postMessage = function (m, t) {
        if (m && m.type === "RAW" && m.value && typeof m.value === "object" && "processCalls" in m.value) {
          const v = m.value;
          ${rewrite}
        }
        return orig.call(this, m, t);
      };
    }`);
  const cases: [string, string, string][] = [
    [
      'wrong_dtype',
      'const a = v.outputs.mask[0].data.value; a.dtype = "float64"; a.data = new Float64Array(4);',
      "block 'S' failed: the run of block 'user/wrong_dtype/1' is invalid: output 'mask' unit 0 [0, 0] is not system/array_2d_uint8/1: field 'value': cannot safely cast an array of float64 to uint8",
    ],
    [
      'mismatched_data',
      'v.outputs.mask[0].data.value.data = new Float64Array(4);',
      "block 'S' failed: the run of block 'user/mismatched_data/1' is invalid: output 'mask' unit 0 [0, 0] is not system/array_2d_uint8/1: field 'value': data for dtype uint8 must be a Uint8Array, got Float64Array(4)",
    ],
    [
      'wrong_shape',
      'v.outputs.mask[0].data.value.shape = [1000, 1000];',
      "block 'S' failed: the run of block 'user/wrong_shape/1' is invalid: output 'mask' unit 0 [0, 0] is not system/array_2d_uint8/1: field 'value': data has 4 elements but shape [1000, 1000] needs 1000000",
    ],
    [
      'wrong_type',
      'v.outputs.y[0].data.value = "ten";',
      "block 'S' failed: the run of block 'user/wrong_type/1' is invalid: output 'y' unit 0 [0, 0] is not system/int32/1: field 'value': expected int32, got string \"ten\"",
    ],
    [
      'extra_output',
      'v.outputs.stolen = [{ data: { value: 1 }, start: 0, end: 0 }];',
      "block 'S' failed: the run of block 'user/extra_output/1' is invalid: outputs: 'stolen' is not a declared output (declared: mask, y)",
    ],
    [
      'extra_field',
      'v.outputs.y[0].data.secret = "x";',
      "block 'S' failed: the run of block 'user/extra_field/1' is invalid: output 'y' unit 0 [0, 0] is not system/int32/1: field 'secret': not declared by data format 'system/int32/1'",
    ],
    [
      'polluted_data',
      'v.outputs.y[0].data = JSON.parse(\'{"__proto__": {"polluted": "yes"}, "value": 1}\');',
      "block 'S' failed: the run of block 'user/polluted_data/1' is invalid: run.outputs.y[0].data: the key '__proto__' is not allowed",
    ],
    [
      'polluted_run',
      'v.constructor = { prototype: { polluted: "yes" } };',
      "block 'S' failed: the run of block 'user/polluted_run/1' is invalid: run: the key 'constructor' is not allowed",
    ],
    [
      'polluted_error',
      'v.ok = false; v.error = JSON.parse(\'{"code": "E_USER", "message": "x", "stage": "process", "details": [], "__proto__": {"polluted": "yes"}}\');',
      "block 'S' failed: the run of block 'user/polluted_error/1' is invalid: run.error: the key '__proto__' is not allowed",
    ],
    [
      'forged_counts',
      'v.processCalls = -1;',
      "block 'S' failed: the run of block 'user/forged_counts/1' is invalid: processCalls: expected a safe non-negative integer, got -1",
    ],
    [
      'proxy_reply',
      'const ch = new MessageChannel(); return orig.call(this, { id: m.id, type: "HANDLER", name: "proxy", value: ch.port1 }, [ch.port1]);',
      "block 'S' failed: The runner sent a reply the engine does not accept (only plain values and plain errors are).",
    ],
  ];
  for (const [name, rewrite, message] of cases) {
    const r = await runBlock(page, `user/${name}/1`, forge(rewrite));
    expect(r.status, name).toBe('FAILED');
    expect(r.block, name).toBe('FAILED');
    expect(r.error, name).toBe(message);
    if (name !== 'proxy_reply') expect(r.code, name).toBe('E_INVALID_RUN');
  }
  await expectResponsive(page);
  await expectClean(page, before, canary);
});

// ── a dead frame ──
// As attack 7 of sandbox.spec.ts: its own browser with V8's heap limit lowered to 512 MB, and the page
// driven over its own CDP session once the sandbox frame's process is gone (Playwright then marks the
// page as crashed, as it does for any out-of-process frame).

test('block attack 5: a block that allocates until its sandbox runs out of memory fails with a clear message; the app stays responsive', async ({
  baseURL,
}) => {
  const app = await openLowMemoryApp(baseURL, canary);
  const { evaluate } = app;
  try {
    const source = block('const keep = []; for (let i = 0; ; i++) keep.push(new Array(8 * 1024 * 1024).fill(i + 0.5));');
    const t0 = Date.now();
    const r = await evaluate<{ status: string; block: string; error: string }>(`(async () => {
      const api = window.algobox;
      await api.blocks.install(${JSON.stringify(DECL)}, ${JSON.stringify(source)}, { name: 'user/hog/1' });
      const id = await api.toolchains.run({ sources: [{ name: 'x', values: [{ value: 1 }], format: 'system/int32/1' }], blocks: [{ name: 'S', algorithm: 'user/hog/1' }] });
      const rec = await api.toolchains.wait(id);
      return { status: rec.status, block: rec.blocks.S.status, error: rec.blocks.S.error && rec.blocks.S.error.message };
    })()`);
    const seconds = (Date.now() - t0) / 1000;
    expect(r.status).toBe('FAILED');
    expect(r.block).toBe('FAILED');
    expect(r.error).toMatch(
      /^block 'S' failed: The sandboxed block worker stopped \(out of memory or crashed\): (its frame answered no message for \d+ s|its worker is gone)\.$/,
    );
    expect(seconds).toBeLessThan(60);
    await expectResponsiveOverCdp(app);
    expect(await evaluate<number>('document.querySelectorAll(\'iframe[data-algobox-sandbox-kind="block"]\').length')).toBe(0);
    // The next user block gets a fresh frame and runs.
    const next = await evaluate<string>(`(async () => {
      const api = window.algobox;
      await api.blocks.install(${JSON.stringify(DECL)}, ${JSON.stringify(block(''))}, { name: 'user/ok/1' });
      const id = await api.toolchains.run({ sources: [{ name: 'x', values: [{ value: 1 }], format: 'system/int32/1' }], blocks: [{ name: 'S', algorithm: 'user/ok/1' }] });
      return (await api.toolchains.wait(id)).status;
    })()`);
    expect(next).toBe('DONE');
    await expectNothingSent(canary);
  } finally {
    await app.browser.close();
  }
});
