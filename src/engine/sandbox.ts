// Runner workers for third-party bundles: each is a classic worker inside its own opaque-origin
// sandboxed iframe (docs/security.md has the threat model and the measured cost). Per worker:
//
//   page ──MessageChannel──────────────────────────────────────────▶ worker (runner or block host, Comlink)
//   page ──MessageChannel (ORT files, once; runners only)──────────▶ worker
//   page ◀─postMessage─▶ iframe bootstrap (ready, spawn, ping/pong, worker errors)
//
// - The iframe: sandbox="allow-scripts" (no allow-same-origin: its origin is opaque, so it has no
//   IndexedDB, Cache Storage, cookies or storage of the page), allow="cross-origin-isolated"
//   (SharedArrayBuffer, so ORT keeps its threads), srcdoc with a CSP that admits only the
//   bootstrap (by hash), blob: scripts and WebAssembly, and no network at all.
// - The bootstrap (the only script in the frame) creates the worker from the runtime's source text
//   (a classic blob: worker; workers/sandboxRuntime.ts) and hands it the two ports; it runs no
//   bundle code. It answers the page's pings (message-driven, so throttled timers in hidden tabs
//   cannot fake a death) and forwards the worker's uncaught errors.
// - The page accepts window messages only from its own frame (e.source) and only the expected
//   shapes; it serves nothing but the ORT files on the services port (serveRpc, not Comlink.expose)
//   and reads the runner's replies through guardedEndpoint.
// - terminate() removes the iframe, which ends the worker and every worker it started.
// - `kind` says which host the runtime exposes: 'runner' (third-party bundles: the runner host, with
//   the ORT loader) or 'block' (user BEAT blocks: the block host of workers/blockHostApi.ts).
import type { SandboxOrtFiles } from '../core/protocol';
import { guardedEndpoint, serveRpc, transferred } from './hostRpc';
import type { WorkerFactory, WorkerLike } from './workerHandle';

/** URLs (in the app's own build) of the sandbox runtime script and of onnxruntime-web's CPU build. */
export interface SandboxAssetUrls {
  runtime: string;
  ortMjs: string;
  wasmMjs: string;
  wasm: string;
}

/** Which host a sandboxed worker exposes: the runner host of bundles, or the BEAT block host. */
export type SandboxKind = 'runner' | 'block';

export interface SandboxOptions {
  assets: SandboxAssetUrls;
  /** Default 'runner'. */
  kind?: SandboxKind;
  /** How often the page pings each frame (ms). */
  pingMs?: number;
  /** A frame that answers no ping for this long (while the page itself is not stalled) is dead. */
  deadAfterMs?: number;
  /** The frame must be up and its worker started within this time. */
  startTimeoutMs?: number;
  fetch?: typeof fetch;
}

const P = 'algobox-sandbox-';

/** The iframe's only script. Its SHA-256 pins the CSP, so it must not change at run time. */
export const SANDBOX_BOOTSTRAP = `(() => {
  'use strict';
  const P = ${JSON.stringify(P)};
  let worker = null;
  const send = (m) => parent.postMessage(m, '*');
  addEventListener('message', (e) => {
    if (e.source !== parent) return;
    const m = e.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === P + 'ping' && typeof m.seq === 'number') return send({ type: P + 'pong', seq: m.seq });
    if (m.type !== P + 'spawn' || worker || typeof m.source !== 'string' || !(m.port instanceof MessagePort) || !(m.services instanceof MessagePort)) return;
    try {
      const url = URL.createObjectURL(new Blob([m.source], { type: 'text/javascript' }));
      worker = new Worker(url, { name: String(m.name) });
      worker.addEventListener('error', (ev) => {
        ev.preventDefault();
        send({ type: P + 'error', message: String(ev.message || '') });
      });
      worker.addEventListener('messageerror', () => send({ type: P + 'error', message: 'The worker sent a message that could not be read.' }));
      const kind = m.kind === 'block' ? 'block' : 'runner';
      worker.postMessage({ type: P + 'init', kind, port: m.port, services: m.services }, [m.port, m.services]);
      send({ type: P + 'spawned' });
    } catch (err) {
      send({ type: P + 'error', message: 'The sandbox could not start its worker: ' + String(err && err.message || err) });
    }
  });
  send({ type: P + 'ready' });
})();`;

/** The CSP of the frame: only the bootstrap (by hash), blob: scripts and workers, WebAssembly; nothing else, no network. */
export function sandboxCsp(bootstrapSha256Base64: string): string {
  return `default-src 'none'; script-src 'sha256-${bootstrapSha256Base64}' blob: 'wasm-unsafe-eval'; worker-src blob:`;
}

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let bin = '';
  for (const b of digest) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** The srcdoc of a sandbox frame. */
export async function sandboxSrcdoc(): Promise<string> {
  const csp = sandboxCsp(await sha256Base64(SANDBOX_BOOTSTRAP));
  return `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${csp}"><script>${SANDBOX_BOOTSTRAP}</script></head><body></body></html>`;
}

/** The message the page shows when a sandbox frame or its worker is gone without saying why. */
export const SANDBOX_DEAD = 'The sandboxed runner stopped (out of memory or crashed)';
/** The same for a sandboxed BEAT block worker. */
export const SANDBOX_BLOCK_DEAD = 'The sandboxed block worker stopped (out of memory or crashed)';

interface Shared {
  srcdoc: Promise<string> | null;
  runtime: Promise<string> | null;
  ort: Promise<SandboxOrtFiles> | null;
}

/**
 * A WorkerFactory whose workers run in sandboxed iframes. The returned endpoint works at once
 * (calls queue on the port until the worker is up); start failures and deaths are reported
 * through onDeath, like a crashed Worker.
 */
export function createSandboxWorkerFactory(opts: SandboxOptions): WorkerFactory {
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const shared: Shared = { srcdoc: null, runtime: null, ort: null };
  const cached = <K extends keyof Shared>(key: K, make: () => NonNullable<Shared[K]>): NonNullable<Shared[K]> => {
    if (!shared[key]) {
      const p = make();
      shared[key] = p as Shared[K];
      p.catch(() => {
        if (shared[key] === p) shared[key] = null; // retry on the next worker
      });
    }
    return shared[key]!;
  };
  const bytes = async (url: string): Promise<ArrayBuffer> => {
    const res = await doFetch(url);
    if (!res.ok) throw new Error(`Could not fetch ${url}: HTTP ${res.status}`);
    return res.arrayBuffer();
  };
  const runtime = () =>
    cached('runtime', async () => {
      const res = await doFetch(opts.assets.runtime);
      if (!res.ok) throw new Error(`Could not fetch the sandbox runtime (${opts.assets.runtime}): HTTP ${res.status}`);
      return res.text();
    });
  const ort = () =>
    cached('ort', async () => {
      const [ortMjs, wasmMjs, wasm] = await Promise.all([bytes(opts.assets.ortMjs), bytes(opts.assets.wasmMjs), bytes(opts.assets.wasm)]);
      return { ortMjs, wasmMjs, wasm };
    });
  const srcdoc = () => cached('srcdoc', sandboxSrcdoc);

  return (label) => startSandbox(label, opts, { runtime, ort, srcdoc });
}

function startSandbox(
  label: string,
  opts: SandboxOptions,
  get: { runtime: () => Promise<string>; ort: () => Promise<SandboxOrtFiles>; srcdoc: () => Promise<string> },
): WorkerLike {
  const kind: SandboxKind = opts.kind === 'block' ? 'block' : 'runner';
  const deadMessage = kind === 'block' ? SANDBOX_BLOCK_DEAD : SANDBOX_DEAD;
  const pingMs = opts.pingMs ?? 1000;
  const deadAfterMs = opts.deadAfterMs ?? 10_000;
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const main = new MessageChannel();
  const services = new MessageChannel();
  const deathCallbacks: ((reason: string) => void)[] = [];
  let dead: string | null = null;
  let iframe: HTMLIFrameElement | null = null;
  let spawnSent = false;
  let started = false;
  let ortServed = false;
  let seq = 0;
  let lastAnswer = performance.now();
  let lastTick = performance.now();

  // Block workers get no services at all (the port is there because the bootstrap hands over two).
  const stopServices = serveRpc(
    services.port1,
    kind === 'block'
      ? {}
      : {
          ortFiles: async () => {
            if (ortServed) throw new Error('The ORT files are given once per worker.');
            ortServed = true;
            const f = await get.ort();
            // Copies: the cached bytes stay with the page for the next worker.
            const copy = { ortMjs: f.ortMjs.slice(0), wasmMjs: f.wasmMjs.slice(0), wasm: f.wasm.slice(0) };
            return transferred(copy, [copy.ortMjs, copy.wasmMjs, copy.wasm]);
          },
        },
  );

  const cleanup = () => {
    clearInterval(pinger);
    clearTimeout(startTimer);
    window.removeEventListener('message', onWindowMessage);
    stopServices();
    main.port1.close();
    iframe?.remove();
    iframe = null;
  };
  const die = (reason: string, notify = true) => {
    if (dead !== null) return;
    dead = reason;
    cleanup();
    if (notify) for (const cb of deathCallbacks.splice(0)) cb(reason);
  };

  function onWindowMessage(e: MessageEvent): void {
    if (!iframe || e.source !== iframe.contentWindow) return;
    const m: unknown = e.data;
    if (!m || typeof m !== 'object' || Array.isArray(m)) return;
    const { type } = m as { type?: unknown };
    switch (type) {
      case `${P}ready`:
        lastAnswer = performance.now();
        if (spawnSent) return;
        spawnSent = true;
        get.runtime().then(
          (source) => {
            if (dead !== null || !iframe?.contentWindow) return;
            iframe.contentWindow.postMessage(
              { type: `${P}spawn`, kind, source, name: `algobox sandbox ${label}`, port: main.port2, services: services.port2 },
              '*',
              [main.port2, services.port2],
            );
          },
          (err: Error) => die(`The sandbox could not start: ${err.message}`),
        );
        return;
      case `${P}spawned`:
        started = true;
        lastAnswer = performance.now();
        clearTimeout(startTimer);
        return;
      case `${P}pong`:
        if (typeof (m as { seq?: unknown }).seq === 'number') lastAnswer = performance.now();
        return;
      case `${P}error`: {
        const message = (m as { message?: unknown }).message;
        const text = typeof message === 'string' ? message.slice(0, 2000) : '';
        die(`The worker crashed: ${text || 'uncaught error (no message)'}`);
        return;
      }
      default:
        return; // not a sandbox message: ignored
    }
  }

  const pinger = setInterval(() => {
    const now = performance.now();
    const stalled = now - lastTick > pingMs + deadAfterMs / 2; // the page itself was stalled or throttled
    lastTick = now;
    if (stalled) lastAnswer = now;
    else if (started && now - lastAnswer > deadAfterMs) {
      die(`${deadMessage}: its frame answered no message for ${Math.round((now - lastAnswer) / 1000)} s.`);
      return;
    }
    iframe?.contentWindow?.postMessage({ type: `${P}ping`, seq: ++seq }, '*');
  }, pingMs);
  const startTimer = setTimeout(() => {
    if (!started) die(`The sandbox could not start: its frame did not start the worker within ${Math.round(startTimeoutMs / 1000)} s.`);
  }, startTimeoutMs);

  // A closed port: the worker (or its whole frame process) is gone.
  main.port1.addEventListener('close' as 'message', () => die(`${deadMessage}: its worker is gone.`));
  window.addEventListener('message', onWindowMessage);

  get.srcdoc().then(
    (html) => {
      if (dead !== null) return;
      const f = document.createElement('iframe');
      f.setAttribute('sandbox', 'allow-scripts');
      f.setAttribute('allow', 'cross-origin-isolated');
      f.setAttribute('aria-hidden', 'true');
      f.tabIndex = -1;
      f.title = `sandbox ${label}`;
      f.dataset.algoboxSandbox = label;
      f.dataset.algoboxSandboxKind = kind;
      // Laid out (1 px, off-screen) rather than display:none, which Chromium may treat as a hidden frame.
      f.style.cssText = 'position:fixed;left:-10px;top:-10px;width:1px;height:1px;border:0;opacity:0;pointer-events:none;';
      f.srcdoc = html;
      iframe = f;
      document.body.appendChild(f);
    },
    (err: Error) => die(`The sandbox could not start: ${err.message}`),
  );

  return {
    endpoint: guardedEndpoint(main.port1),
    terminate: () => die('terminated', false),
    onDeath: (cb) => {
      if (dead !== null) cb(dead);
      else deathCallbacks.push(cb);
    },
  };
}
