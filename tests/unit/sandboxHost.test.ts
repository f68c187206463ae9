// The engine's side of the third-party boundary, in Node: the strict RPC dispatcher that answers a
// worker (never Comlink.expose), the reply filter, the pool's choice of worker per bundle origin,
// the GPU decision and the time limit for third-party runs, and the HostApi checks against forged
// and malicious values (prototype pollution, wrong types, sizes, reading datasets it was not given).
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { DEFAULT_THIRD_PARTY_TIMEOUT_MS } from '../../src/engine/engine';
import { MALFORMED_REPLY, sanitizeReply, serveRpc } from '../../src/engine/hostRpc';
import { packForTransfer } from '../../src/engine/hostData';
import { transferringHost } from '../../workers/runnerHostApi';
import * as Comlink from 'comlink';
import type { HostApi, RawFields } from '../../src/core/protocol';
import { LARGE_BUFFER_BYTES, MAX_TRANSFER_BUFFERS, largeCount } from '../../src/core/ndarray';
import { SANDBOX_BOOTSTRAP, sandboxCsp, sandboxSrcdoc } from '../../src/engine/sandbox';
import { createHash } from 'node:crypto';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { manifest, scaleBundle } from './helpers/bundles';

const apis: Algobox[] = [];
function makeApi(extra: Partial<Parameters<typeof createAlgobox>[0]> = {}) {
  const workers = inProcessWorkerFactory();
  const sandbox = inProcessWorkerFactory();
  const api = createAlgobox({ dbName: `sbx-${crypto.randomUUID()}`, workerFactory: workers, sandboxWorkerFactory: sandbox, persistIntervalMs: 5, ...extra });
  apis.push(api);
  return { api, workers, sandbox };
}
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
  delete (Object.prototype as Record<string, unknown>).polluted;
});

/** Send raw messages on a port and collect the replies by id. */
function rawClient(port: MessagePort) {
  const replies = new Map<string, Record<string, unknown>>();
  const waiters = new Map<string, (r: Record<string, unknown>) => void>();
  port.addEventListener('message', (e: MessageEvent) => {
    const d = e.data as Record<string, unknown>;
    replies.set(String(d.id), d);
    waiters.get(String(d.id))?.(d);
  });
  port.start();
  return {
    send(msg: Record<string, unknown>, transfer: Transferable[] = []): Promise<Record<string, unknown>> {
      const id = String(msg.id);
      return new Promise((resolve) => {
        waiters.set(id, resolve);
        port.postMessage(msg, transfer);
      });
    },
    replies,
  };
}

const raw = (value: unknown) => ({ type: 'RAW', value });
const errorOf = (r: Record<string, unknown>) => (r.value as { value: { message: string } }).value.message;

describe('the sandbox frame', () => {
  it('pins its only script by hash in a CSP that allows blob: scripts and WebAssembly and no network', async () => {
    const hash = createHash('sha256').update(SANDBOX_BOOTSTRAP).digest('base64');
    const csp = sandboxCsp(hash);
    expect(csp).toBe(`default-src 'none'; script-src 'sha256-${hash}' blob: 'wasm-unsafe-eval'; worker-src blob:`);
    const html = await sandboxSrcdoc();
    expect(html.indexOf(`<meta http-equiv="Content-Security-Policy" content="${csp}">`)).toBeGreaterThan(0);
    expect(html.indexOf(`<script>${SANDBOX_BOOTSTRAP}</script>`)).toBeGreaterThan(html.indexOf('Content-Security-Policy'));
    expect(html.match(/<script/g)).toHaveLength(1);
    // The bootstrap listens to its parent only and starts one classic worker.
    expect(SANDBOX_BOOTSTRAP).toContain('if (e.source !== parent) return;');
    expect(SANDBOX_BOOTSTRAP).not.toContain("type: 'module'");
  });
});

describe('serveRpc: the only way a worker calls the engine', () => {
  it('answers method calls with plain values and refuses GET, SET, CONSTRUCT, ENDPOINT, deep paths and proxies', async () => {
    const { port1, port2 } = new MessageChannel();
    const calls: unknown[][] = [];
    const stop = serveRpc(port1, {
      log: async (...args: unknown[]) => {
        calls.push(args);
        return 'ok';
      },
    });
    const c = rawClient(port2);
    expect(await c.send({ id: 'a', type: 'APPLY', path: ['log'], argumentList: [raw('INFO'), raw('hello')] })).toMatchObject({ type: 'RAW', value: 'ok' });
    expect(calls).toEqual([['INFO', 'hello']]);

    const attacks: Record<string, unknown>[] = [
      { id: 'b', type: 'SET', path: ['__proto__', 'polluted'], value: raw('yes') },
      { id: 'c', type: 'SET', path: ['log', '__proto__', '__proto__', 'polluted'], value: raw('yes') },
      { id: 'd', type: 'GET', path: ['log', 'constructor'] },
      { id: 'e', type: 'APPLY', path: ['log', 'constructor'], argumentList: [raw('return globalThis')] },
      { id: 'f', type: 'APPLY', path: ['constructor', 'constructor'], argumentList: [raw('return 1')] },
      { id: 'g', type: 'APPLY', path: ['log', '__proto__', '__proto__', '__defineGetter__'], argumentList: [raw('polluted'), raw(1)] },
      { id: 'h', type: 'CONSTRUCT', path: ['log'], argumentList: [] },
      { id: 'i', type: 'ENDPOINT' },
      { id: 'j', type: 'APPLY', path: ['toString'], argumentList: [] },
      { id: 'k', type: 'APPLY', path: ['__proto__'], argumentList: [] },
      { id: 'l', type: 'APPLY', path: ['log'], argumentList: [{ type: 'HANDLER', name: 'throw', value: { isError: true, value: { message: 'x' } } }] },
    ];
    for (const m of attacks) {
      const r = await c.send(m);
      expect(r.type, JSON.stringify(m)).toBe('HANDLER');
      expect(errorOf(r)).toMatch(/^The engine refused a message from the runner: /);
    }
    const { port1: p3, port2: p4 } = new MessageChannel();
    const r = await c.send({ id: 'm', type: 'APPLY', path: ['log'], argumentList: [{ type: 'HANDLER', name: 'proxy', value: p3 }] }, [p3]);
    expect(errorOf(r)).toMatch(/plain values/);
    p4.close();
    expect(calls).toHaveLength(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Function.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
    stop();
    port2.close();
  });

  it('turns thrown errors into plain messages, limits calls in flight, and closes on RELEASE', async () => {
    const { port1, port2 } = new MessageChannel();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    serveRpc(
      port1,
      {
        fail: async () => {
          throw Object.assign(new Error('nope'), { secret: 'not sent' });
        },
        slow: async () => gate,
      },
      { maxInFlight: 2 },
    );
    const c = rawClient(port2);
    const f = await c.send({ id: 'f', type: 'APPLY', path: ['fail'], argumentList: [] });
    expect(f.value).toEqual({ isError: true, value: { message: 'nope', name: 'Error', stack: '' } });
    const s1 = c.send({ id: 's1', type: 'APPLY', path: ['slow'], argumentList: [] });
    const s2 = c.send({ id: 's2', type: 'APPLY', path: ['slow'], argumentList: [] });
    expect(errorOf(await c.send({ id: 's3', type: 'APPLY', path: ['slow'], argumentList: [] }))).toMatch(/more than 2 calls at once/);
    release();
    expect((await s1).type).toBe('RAW');
    expect((await s2).type).toBe('RAW');
    expect(await c.send({ id: 'r', type: 'RELEASE' })).toMatchObject({ type: 'RAW' });
    port2.close();
  });
});

describe('sanitizeReply: what a worker may answer the engine', () => {
  it('passes plain values, flattens errors to strings, refuses proxies and drops non-replies', () => {
    expect(sanitizeReply({ id: '1', type: 'RAW', value: [1, 2] })).toEqual({ id: '1', type: 'RAW', value: [1, 2] });
    const forged = JSON.parse(
      '{"id":"2","type":"HANDLER","name":"throw","value":{"isError":true,"value":{"message":{"a":1},"stack":7,"__proto__":{"polluted":1}}}}',
    );
    expect(sanitizeReply(forged)).toEqual({
      id: '2',
      type: 'HANDLER',
      name: 'throw',
      value: { isError: true, value: { message: 'error without a message', name: 'Error', stack: '' } },
    });
    expect(sanitizeReply({ id: '3', type: 'HANDLER', name: 'proxy', value: null })).toMatchObject({ value: { value: { message: MALFORMED_REPLY } } });
    expect(sanitizeReply({ id: '4', type: 'HANDLER', name: 'throw', value: { isError: false, value: 'raw string' } })).toMatchObject({
      value: { value: { message: 'Uncaught raw string' } },
    });
    expect(sanitizeReply(null)).toBeNull();
    expect(sanitizeReply({ type: 'RAW', value: 1 })).toBeNull();
    expect(sanitizeReply([1])).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

const invert = (name: string) => ({
  'pyproject.toml': manifest(name, 'Image2Image').replace('default_device = "cpu"', 'default_device = "gpu"'),
  'Runner.js': `import { Image2ImageRunner, ndarray } from "algobox";
export class Runner extends Image2ImageRunner { async inference(d) { return ndarray("uint8", d.shape, d.data.map((v) => 255 - v)); } }`,
});

describe('engine: third-party bundles', () => {
  it('run in sandbox workers on cpu (gpu asked: WARNING with the reason), with a default time limit; built-in bundles do not', async () => {
    const { api, workers, sandbox } = makeApi({ gpu: async () => ({ available: true }) });
    const third = await api.algorithms.install(invert('third'));
    const first = await api.algorithms.install(invert('first'), { builtin: true });
    const a = await api.datasets.put({ image: ndarray('uint8', [1, 2], [1, 2]) });
    const t = await api.executions.wait(await api.execute({ algorithmId: third.id, inputDatasetIds: [a] }));
    expect(t.status).toBe('COMPLETED');
    expect(t.device).toBe('cpu');
    expect(t.timeoutMs).toBe(DEFAULT_THIRD_PARTY_TIMEOUT_MS);
    const warning = t.log.find((l) => l.level === 'WARNING')!;
    expect(warning.message).toMatch(
      /^Algorithm is set to run on GPU but WebGPU is not available \(third-party bundles run in the opaque-origin sandbox.*\)\. Running on CPU\.$/,
    );
    expect(t.log.map((l) => l.message)).toContain(
      'Third-party bundle: it runs in an opaque-origin sandbox (no storage, no network; data only through the engine).',
    );
    expect(sandbox.created).toBe(1);
    expect(workers.created).toBe(0);

    const f = await api.executions.wait(await api.execute({ algorithmId: first.id, inputDatasetIds: [a] }));
    expect(f.status).toBe('COMPLETED');
    expect(f.device).toBe('gpu');
    expect(f.timeoutMs).toBeNull();
    expect(workers.created).toBe(1);
    expect(sandbox.created).toBe(1);

    const o = await api.executions.wait(await api.execute({ algorithmId: third.id, inputDatasetIds: [a], timeoutMs: 5000 }));
    expect(o.timeoutMs).toBe(5000);
    expect((await api.stats()).runners.map((d) => d.key).sort()).toEqual([`${first.id}|gpu`, `${third.id}|cpu|sandbox`].sort());
  });

  it('without a sandbox factory third-party bundles use the ordinary workers (and keep the time limit)', async () => {
    const workers = inProcessWorkerFactory();
    const api = createAlgobox({ dbName: `sbx-${crypto.randomUUID()}`, workerFactory: workers, persistIntervalMs: 5, thirdPartyTimeoutMs: 60_000 });
    apis.push(api);
    const alg = await api.algorithms.install(scaleBundle);
    const a = await api.datasets.put({ image: ndarray('uint8', [1, 1], [3]) });
    const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [a] }));
    expect(rec.status).toBe('COMPLETED');
    expect(rec.timeoutMs).toBe(60_000);
    expect(workers.created).toBe(1);
  });
});

/** A bundle whose inference runs `body` with the raw HostApi (`host`), bypassing the SDK's own checks. */
function evil(name: string, body: string, postprocess = 'return d;') {
  return {
    'pyproject.toml': manifest(name, 'Image2Image'),
    'Runner.js': `import { Image2ImageRunner } from "algobox";
export class Runner extends Image2ImageRunner {
  async preprocess(input) { return input.inputDatasetIds; }
  async inference(ids, args) { const host = this.host; ${body} }
  async postprocess(d) { ${postprocess} }
}`,
  };
}

async function runEvil(
  api: Algobox,
  body: string,
  opts: { postprocess?: string; maxPostBytes?: number; args?: Record<string, unknown>; inputs?: string[] } = {},
) {
  const alg = await api.algorithms.install(evil(`evil${Math.random().toString(36).slice(2, 8)}`, body, opts.postprocess));
  const a = opts.inputs ?? [await api.datasets.put({ image: ndarray('uint8', [1, 2], [1, 2]) })];
  return api.executions.wait(
    await api.execute({ algorithmId: alg.id, inputDatasetIds: a, ...(opts.maxPostBytes !== undefined ? { maxPostBytes: opts.maxPostBytes } : {}) }),
  );
}

const field = (dtype: string, shape: number[], data: ArrayLike<number>, Ctor: new (x: ArrayLike<number>) => unknown = Uint8Array) => ({
  kind: 'array',
  array: { dtype, shape, data: new Ctor(data) },
});

describe('HostApi against malicious values', () => {
  it('refuses prototype-polluting field names, schema names and session keys, and rebuilds what it stores', async () => {
    const { api } = makeApi();
    const rec = await runEvil(
      api,
      `const errors = [];
      const tryIt = async (f) => { try { await f(); errors.push('accepted'); } catch (e) { errors.push(e.message); } };
      // A fresh array per call: posted buffers are transferred (detached here), refused or not.
      const f = () => ({ ...${JSON.stringify(field('uint8', [1], [1]))}, array: { dtype: "uint8", shape: [1], data: new Uint8Array([1]) } });
      await tryIt(() => host.postData([JSON.parse('{"__proto__": {"polluted": "yes"}}')], null));
      await tryIt(() => host.postData([{ constructor: { prototype: { polluted: "yes" } } }], null));
      await tryIt(() => host.postData([{ mask: f() }], "constructor"));
      await tryIt(() => host.postData([{ mask: f() }], "__proto__"));
      await tryIt(() => host.sessionSave("__proto__", { polluted: "yes" }));
      await tryIt(() => host.log("INFO", JSON.parse('{"__proto__": {"polluted": "yes"}}')));
      const extra = { mask: { kind: "array", array: { dtype: "uint8", shape: [1], data: new Uint8Array([7]), extra: "dropped" }, more: 1 } };
      const out = await host.postData([extra], null);
      await host.log("INFO", "RESULTS " + JSON.stringify(errors));
      return out;`,
    );
    expect(rec.error).toBeNull();
    const results = JSON.parse(rec.log.find((l) => l.message.startsWith('RESULTS '))!.message.slice(8)) as string[];
    expect(results[0]).toBe('postData: item 0 has an invalid field name "__proto__".');
    expect(results[1]).toBe('postData: item 0 has an invalid field name "constructor".');
    expect(results[2]).toBe('postData: unknown schema "constructor".');
    expect(results[3]).toBe('postData: unknown schema "__proto__".');
    expect(results[4]).toMatch(/^sessionSave: the key must be a non-empty string/);
    expect(results[5]).toBe('accepted'); // logged as "object"
    expect(rec.log.map((l) => l.message)).toContain('object');
    const out = await api.datasets.get(rec.outputDatasetIds[0]!);
    expect(Object.keys(out.fields)).toEqual(['mask']);
    expect(Object.keys(out.fields.mask as object).sort()).toEqual(['data', 'dtype', 'shape']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names the field for wrong dtypes, shapes, typed arrays and sizes, and refuses non-string ids', async () => {
    const { api } = makeApi();
    const post = (items: string, schema = 'null') => `await host.postData(${items}, ${schema}); return [];`;
    const dtype = await runEvil(api, post(`[{ mask: { kind: "array", array: { dtype: "uint8", shape: [2], data: new Float32Array(2) } } }]`));
    expect(dtype.error?.message).toBe("postData: item 0 field 'mask': data for dtype uint8 must be a Uint8Array, got Float32Array(2).");
    const shape = await runEvil(api, post(`[{ mask: { kind: "array", array: { dtype: "uint8", shape: [2, 2], data: new Uint8Array(3) } } }]`));
    expect(shape.error?.message).toBe("postData: item 0 field 'mask': data has 3 elements but shape [2, 2] needs 4.");
    const schema = await runEvil(api, post(`[{ image: { kind: "string", array: { dtype: "uint8", shape: [1], data: new Uint8Array([65]) } } }]`, '"Image"'));
    expect(schema.status).toBe('FAILED');
    expect(schema.error?.message).toMatch(/image/);
    const kind = await runEvil(api, post(`[{ mask: { kind: "evil", array: null } }]`));
    expect(kind.error?.message).toMatch(/^postData: item 0 field 'mask' is malformed/);
    const big = await runEvil(api, post(`[{ mask: { kind: "array", array: { dtype: "uint8", shape: [4096], data: new Uint8Array(4096) } } }]`), {
      maxPostBytes: 1024,
    });
    expect(big.error?.message).toBe(
      "postData: item 0 field 'mask' (4096 bytes) would bring this execution's posted bytes to 4096, more than its limit of 1024.",
    );
    expect(big.outputDatasetIds).toEqual([]);
    // Calls in flight together count each other's bytes (reserved before the write is awaited).
    const two = await runEvil(
      api,
      `const post = () => host.postData([{ mask: { kind: "array", array: { dtype: "uint8", shape: [600], data: new Uint8Array(600) } } }], null);
      const r = await Promise.allSettled([post(), post()]);
      await host.log("INFO", "SETTLED " + r.map((x) => x.status).join(","));
      return r.flatMap((x) => (x.status === "fulfilled" ? x.value : []));`,
      { maxPostBytes: 1024 },
    );
    expect(two.log.map((l) => l.message)).toContain('SETTLED fulfilled,rejected');
    expect(two.outputDatasetIds).toHaveLength(1);
    // …and name their outputs apart (the one input's second output is "#2", never two of the same name).
    const both = await runEvil(
      api,
      `const post = () => host.postData([{ mask: { kind: "array", array: { dtype: "uint8", shape: [2], data: new Uint8Array(2) } } }], null);
      return (await Promise.all([post(), post()])).flat();`,
    );
    const names = await Promise.all(both.outputDatasetIds.map(async (id) => (await api.datasets.get(id)).meta.name));
    expect(new Set(names).size).toBe(2);
    expect(names.filter((n) => n.endsWith(' #2'))).toHaveLength(1);
    const ids = await runEvil(api, 'return [1, 2];');
    expect(ids.error?.message).toBe('postprocess must return the list of dataset ids that postData gave; it returned a list containing number, number.');
    const obj = await runEvil(api, 'return JSON.parse(\'{"__proto__": {"polluted": 1}, "length": 1}\');');
    expect(obj.error?.message).toBe('postprocess must return the list of dataset ids that postData gave; it returned object.');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('lets a third-party bundle read only its inputs, ids among its arguments and its own outputs', async () => {
    const { api } = makeApi();
    const secret = await api.datasets.put({ image: ndarray('uint8', [1, 1], [42]) }, { name: 'secret' });
    const rec = await runEvil(api, `await host.fetchData([${JSON.stringify(secret)}], null); return [];`);
    expect(rec.status).toBe('FAILED');
    expect(rec.error?.message).toBe(
      `fetchData: '${secret}' is not an input of this execution; a third-party bundle may read only its inputs, datasets named in its arguments and datasets it posted.`,
    );
    const own = await runEvil(
      api,
      `const [id] = await host.postData([{ m: { kind: "array", array: { dtype: "uint8", shape: [1], data: new Uint8Array([5]) } } }], null); const [f] = await host.fetchData([id], null); return [id];`,
    );
    expect(own.status).toBe('COMPLETED');
    const input = await runEvil(api, `const [f] = await host.fetchData(ids, ["image"]); return [];`, { inputs: [secret] });
    expect(input.status).toBe('COMPLETED');
    const many = await runEvil(api, `await host.fetchData(new Array(20000).fill("x"), null); return [];`);
    expect(many.error?.message).toBe('fetchData: ids has 20000 entries; at most 10000 are allowed.');
  });
});

describe('array bytes between the engine and a runner: transferred, at most MAX_TRANSFER_BUFFERS large buffers a message', () => {
  it("a runner's postData transfers its arrays' buffers (split into calls of at most 32 large ones, ids in order)", async () => {
    const { port1, port2 } = new MessageChannel();
    const received: RawFields[] = [];
    let n = 0;
    serveRpc(port1, {
      postData: async (items: RawFields[]) => {
        received.push(...items);
        return items.map(() => `id-${++n}`);
      },
    });
    const lists: Transferable[][] = [];
    const send = port2.postMessage.bind(port2);
    port2.postMessage = ((m: unknown, t?: Transferable[]) => {
      lists.push(t ?? []);
      send(m, t ?? []);
    }) as typeof port2.postMessage;
    const host = transferringHost(Comlink.wrap<HostApi>(port2) as Parameters<typeof transferringHost>[0]);
    const arrays = Array.from({ length: 70 }, (_, k) => ndarray('uint8', [LARGE_BUFFER_BYTES], new Uint8Array(LARGE_BUFFER_BYTES).fill(k)));
    const buffers = arrays.map((a) => a.data.buffer);
    const ids = await host.postData(
      arrays.map((a) => ({ mask: { kind: 'array', array: a } })),
      null,
    );
    expect(ids).toEqual(Array.from({ length: 70 }, (_, k) => `id-${k + 1}`));
    expect(lists.map((t) => t.length)).toEqual([32, 32, 6]);
    expect(lists.flat()).toEqual(buffers);
    // Moved, not copied: empty here, intact on the engine's side.
    for (const a of arrays) expect(a.data.byteLength).toBe(0);
    expect(received.map((f) => (f.mask!.array.data as Uint8Array)[LARGE_BUFFER_BYTES - 1])).toEqual(Array.from({ length: 70 }, (_, k) => k));
    // Posting a handed-over array again says so.
    await expect(host.postData([{ mask: { kind: 'array', array: arrays[0]! } }], null)).rejects.toThrow(
      /already handed over to the engine by an earlier postData/,
    );
    (host as unknown as Record<symbol, () => void>)[Comlink.releaseProxy]!();
    port1.close();
  });

  it('moves each buffer out of the runner before postMessage (ArrayBuffer.prototype.transfer); one that cannot be moved is copied, the others are not lost', async () => {
    // Chromium's postMessage detaches the transfer list one by one and throws at a WebAssembly memory's
    // buffer, losing the ones before it. Node 20 has no ArrayBuffer.prototype.transfer: one that
    // refuses a marked buffer stands in for Chromium's.
    const proto = ArrayBuffer.prototype as { transfer?: () => ArrayBuffer };
    const had = Object.getOwnPropertyDescriptor(proto, 'transfer');
    const fixed = new ArrayBuffer(LARGE_BUFFER_BYTES);
    proto.transfer = function (this: ArrayBuffer) {
      if (this === fixed) throw new TypeError('not detachable');
      return structuredClone(this, { transfer: [this] });
    };
    try {
      const { port1, port2 } = new MessageChannel();
      const received: RawFields[] = [];
      serveRpc(port1, {
        postData: async (items: RawFields[]) => {
          received.push(...items);
          return items.map((_, i) => `id-${i}`);
        },
      });
      const lists: Transferable[][] = [];
      const send = port2.postMessage.bind(port2);
      port2.postMessage = ((m: unknown, t?: Transferable[]) => {
        lists.push(t ?? []);
        send(m, t ?? []);
      }) as typeof port2.postMessage;
      const host = transferringHost(Comlink.wrap<HostApi>(port2) as Parameters<typeof transferringHost>[0]);
      const own = ndarray('uint8', [LARGE_BUFFER_BYTES], new Uint8Array(LARGE_BUFFER_BYTES).fill(3));
      const part = { dtype: 'uint8', shape: [4], data: new Uint8Array(fixed, 8, 4).fill(7) } as NDArray;
      const ownBuffer = own.data.buffer;
      expect(await host.postData([{ a: { kind: 'array', array: own } }, { b: { kind: 'array', array: part } }], null)).toEqual(['id-0', 'id-1']);
      // One transferred buffer: the moved one (not the runner's own, already empty, nor the fixed one).
      expect(lists[0]).toHaveLength(1);
      expect(lists[0]![0]).not.toBe(ownBuffer);
      expect([own.data.length, part.data.length]).toEqual([0, 4]);
      expect([(received[0]!.a!.array.data as Uint8Array)[LARGE_BUFFER_BYTES - 1], Array.from(received[1]!.b!.array.data as Uint8Array)]).toEqual([
        3,
        [7, 7, 7, 7],
      ]);
      (host as unknown as Record<symbol, () => void>)[Comlink.releaseProxy]!();
      port1.close();
    } finally {
      if (had) Object.defineProperty(proto, 'transfer', had);
      else delete proto.transfer;
    }
  });

  it('packs a fetchData reply with more large buffers than one message may carry into MAX_TRANSFER_BUFFERS buffers, values kept', () => {
    const out: RawFields[] = Array.from({ length: 100 }, (_, k) => ({
      image: { kind: 'array', array: ndarray('float64', [LARGE_BUFFER_BYTES / 8 + 1], new Float64Array(LARGE_BUFFER_BYTES / 8 + 1).fill(k + 0.5)) },
      odd: { kind: 'array', array: ndarray('uint8', [LARGE_BUFFER_BYTES + 3], new Uint8Array(LARGE_BUFFER_BYTES + 3).fill(k)) },
      tiny: { kind: 'array', array: ndarray('uint8', [2], [k, k]) },
      none: null,
    }));
    const transfer = packForTransfer(out);
    expect(largeCount(transfer)).toBeLessThanOrEqual(MAX_TRANSFER_BUFFERS);
    const set = new Set(transfer);
    out.forEach((f, k) => {
      for (const key of ['image', 'odd', 'tiny'] as const) expect(set.has(f[key]!.array.data.buffer as ArrayBuffer)).toBe(true);
      const img = f.image!.array as NDArray<'float64'>;
      expect([img.data.length, img.data[0], img.data[img.data.length - 1]]).toEqual([LARGE_BUFFER_BYTES / 8 + 1, k + 0.5, k + 0.5]);
      expect(Array.from((f.odd!.array.data as Uint8Array).subarray(-2))).toEqual([k, k]);
      expect(f.none).toBeNull();
    });
    // A reply that fits is sent as the store gave it (no copy).
    const few: RawFields[] = [{ image: { kind: 'array', array: ndarray('uint8', [LARGE_BUFFER_BYTES]) } }];
    const before = few[0]!.image!.array.data;
    expect(packForTransfer(few)).toEqual([before.buffer]);
    expect(few[0]!.image!.array.data).toBe(before);
  });

  it('serves a bundle that fetches 40 large datasets in one call (the reply packed, the page unharmed)', async () => {
    const { api } = makeApi();
    const inputs: string[] = [];
    for (let k = 0; k < 40; k++) inputs.push(await api.datasets.put({ image: ndarray('uint8', [256, 256], new Uint8Array(65536).fill(k)) }));
    const rec = await runEvil(
      api,
      `const got = await host.fetchData(ids, ["image"]);
      const buffers = new Set(got.map((f) => f.image.array.data.buffer));
      await host.log("INFO", "GOT " + got.map((f) => f.image.array.data[65535]).join(",") + " IN " + buffers.size);
      return [];`,
      { inputs },
    );
    expect(rec.status).toBe('COMPLETED');
    expect(rec.log.map((l) => l.message)).toContain(`GOT ${inputs.map((_, k) => k).join(',')} IN 20`); // 40 buffers packed two by two
  });
});
