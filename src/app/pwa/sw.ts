// The service worker (built by vite-plugin-pwa's injectManifest into sw.js; registered in production
// builds only, registerServiceWorker.ts). It makes the app work offline, reloads included:
// - precache: the app (index.html, JS, CSS, the ORT wasm files) and the built-in bundles with their
//   model files, listed with revisions at build time (self.__WB_MANIFEST). A new build's worker
//   downloads only what changed, in the background, and waits until the page says "reload"
//   (the 'new version' notice); it then removes the old build's entries.
// - every same-origin response it hands out gets the COOP/COEP headers again, so the page stays
//   cross-origin isolated (SharedArrayBuffer, threaded WASM) when served from the cache, as from the
//   server (vite.config.ts sets the same two headers).
// - other same-origin GETs (not in the precache): from the network, kept in a cache of this build as
//   a fallback for offline use; hashed /assets/ files come from that cache first.
import { cleanupOutdatedCaches, matchPrecache, precache } from 'workbox-precaching';

interface PrecacheEntry {
  url: string;
  revision: string | null;
}
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(r: Response | Promise<Response>): void;
}
interface ServiceWorkerScope {
  readonly location: Location;
  readonly registration: { readonly scope: string };
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'fetch', cb: (e: FetchEvent) => void): void;
  addEventListener(type: 'activate', cb: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'message', cb: (e: MessageEvent) => void): void;
}

const sw = self as unknown as ServiceWorkerScope;
// The build's file list, injected by vite-plugin-pwa where `self.__WB_MANIFEST` is written.
const manifest = (self as unknown as { __WB_MANIFEST: PrecacheEntry[] }).__WB_MANIFEST;

/** What makes the page cross-origin isolated (the same as vite.config.ts's isolationHeaders). */
const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** A short name for this build: a hash of the precache list (urls and revisions). */
function buildId(entries: readonly PrecacheEntry[]): string {
  let h = 0x811c9dc5;
  for (const e of entries) {
    const s = `${e.url} ${e.revision ?? ''}\n`;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

const RUNTIME_PREFIX = 'algobox-runtime-';
const runtimeCache = `${RUNTIME_PREFIX}${buildId(manifest)}`;

precache(manifest);
cleanupOutdatedCaches();

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      // Runtime entries of earlier builds go with them; the first install takes the open page at once.
      for (const name of await caches.keys()) if (name.startsWith(RUNTIME_PREFIX) && name !== runtimeCache) await caches.delete(name);
      await sw.clients.claim();
    })(),
  );
});

// The 'new version' notice's "Reload": the waiting worker takes over (registerServiceWorker.ts).
sw.addEventListener('message', (event) => {
  if ((event.data as { type?: unknown } | null)?.type === 'SKIP_WAITING') void sw.skipWaiting();
});

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== sw.location.origin || req.headers.has('range')) return;
  event.respondWith(respond(req).then(isolated));
});

async function respond(req: Request): Promise<Response> {
  // Any page of the app is index.html (no server routes); its query (?view=…) is the app's.
  const appShell = req.mode === 'navigate' ? new URL('index.html', sw.registration.scope).href : null;
  const precached = await matchPrecache(appShell ?? req.url);
  if (precached) return precached;
  if (appShell) return fetch(req);
  const cache = await caches.open(runtimeCache);
  const immutable = new URL(req.url).pathname.includes('/assets/');
  if (immutable) {
    const hit = await cache.match(req);
    if (hit) return hit;
  }
  try {
    const res = await fetch(req);
    // Kept without holding the answer back (the page's request is not made to wait for the copy).
    if (res.ok && res.type === 'basic') void cache.put(req, res.clone()).catch(() => undefined);
    return res;
  } catch (e) {
    const hit = await cache.match(req);
    if (hit) return hit;
    throw e;
  }
}

/** The response with the isolation headers (an opaque or error response stays as it is). */
function isolated(res: Response): Response {
  if (res.type === 'opaque' || res.type === 'opaqueredirect' || res.status === 0) return res;
  const headers = new Headers(res.headers);
  for (const [k, v] of Object.entries(ISOLATION_HEADERS)) headers.set(k, v);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}
