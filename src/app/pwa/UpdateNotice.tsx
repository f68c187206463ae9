// "A new version of algobox is available — Reload": shown when a new build's service worker has
// downloaded it in the background (registerServiceWorker.ts). Dismissable; reloading switches.
import { useEffect, useState } from 'react';
import type { AppUpdates } from './registerServiceWorker';
import './pwa.css';

export function UpdateNotice({ updates }: { updates: AppUpdates }) {
  const [shown, setShown] = useState(false);
  useEffect(() => updates.onUpdate(() => setShown(true)), [updates]);
  if (!shown) return null;
  return (
    <div className="update-notice" role="status" data-testid="update-notice">
      <span>A new version of algobox is available.</span>
      <button type="button" className="primary" onClick={() => updates.reload()}>
        Reload
      </button>
      <button type="button" className="small" onClick={() => setShown(false)} aria-label="Later" title="Later: the new version is used from the next visit on">
        ×
      </button>
    </div>
  );
}
