// Registers the service worker (sw.ts → sw.js) in production builds and reports a new version that
// is waiting; `reload()` lets it take over and reloads the page. Opt-out: `?sw=off` in the address
// (remembered in localStorage; `?sw=on` undoes it) unregisters it and serves everything from the
// network. In development (vite dev) no worker is registered and one left by a production build on
// the same origin is removed, so the dev server's modules are never served stale.
import { Workbox } from 'workbox-window';

export interface AppUpdates {
  /** Called once a new version is installed and waiting (at once if one already is). */
  onUpdate(cb: () => void): () => void;
  /** Switch to the waiting version and reload the page. */
  reload(): void;
}

const OPT_OUT_KEY = 'algobox.sw';

/** `?sw=off` / `?sw=on` (remembered), else what was remembered. */
function swWanted(): boolean {
  const q = new URLSearchParams(location.search).get('sw');
  try {
    if (q === 'off' || q === 'on') localStorage.setItem(OPT_OUT_KEY, q);
    return (q ?? localStorage.getItem(OPT_OUT_KEY)) !== 'off';
  } catch {
    return q !== 'off';
  }
}

async function unregisterAll(): Promise<void> {
  for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
}

export function registerServiceWorker(base = import.meta.env.BASE_URL): AppUpdates {
  const listeners = new Set<() => void>();
  let waiting = false;
  let wb: Workbox | null = null;
  const updates: AppUpdates = {
    onUpdate(cb) {
      listeners.add(cb);
      if (waiting) cb();
      return () => listeners.delete(cb);
    },
    reload() {
      if (!wb || !waiting) return location.reload();
      wb.addEventListener('controlling', () => location.reload());
      wb.messageSkipWaiting();
    },
  };
  if (!('serviceWorker' in navigator)) return updates;
  if (!import.meta.env.PROD || !swWanted()) {
    void unregisterAll().catch(() => undefined);
    return updates;
  }
  wb = new Workbox(`${base}sw.js`, { scope: base });
  wb.addEventListener('waiting', () => {
    waiting = true;
    for (const cb of listeners) cb();
  });
  void wb.register().catch((e: unknown) => console.warn('algobox: the service worker could not be registered (no offline use):', e));
  // A tab left open looks for a new version now and then (the browser also does on each visit).
  setInterval(() => void wb?.update().catch(() => undefined), 60 * 60 * 1000);
  return updates;
}
