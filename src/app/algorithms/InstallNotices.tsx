// Toasts for installs started outside the install dialog (dropped zips/folders): success with the
// manifest warnings, or the error verbatim. Mounted once, with the first screen (App.tsx; not with the lazily loaded BundleUrlPrompt). They close themselves
// (sooner for a plain success; never while the pointer or focus is on them) or with Dismiss.
import { useEffect, useState } from 'react';
import { useAutoDismiss } from '../useAutoDismiss';
import { INSTALL_NOTICE_EVENT, type InstallNotice } from './useInstallBundle';

/** A plain success closes after this; one with warnings, or an error, after NOTICE_LONG_MS. */
const NOTICE_SHORT_MS = 6000;
const NOTICE_LONG_MS = 15_000;

export function InstallNotices() {
  const [notice, setNotice] = useState<InstallNotice | null>(null);
  useEffect(() => {
    const on = (e: Event) => setNotice((e as CustomEvent<InstallNotice>).detail);
    window.addEventListener(INSTALL_NOTICE_EVENT, on);
    return () => window.removeEventListener(INSTALL_NOTICE_EVENT, on);
  }, []);
  const plain = notice?.kind === 'installed' && !notice.warnings.length;
  const hold = useAutoDismiss(notice ? (plain ? NOTICE_SHORT_MS : NOTICE_LONG_MS) : null, () => setNotice(null), notice);
  if (!notice) return null;
  return (
    <div className="toast alg-toast" role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="install-notice" {...hold}>
      {notice.kind === 'installed' ? (
        <div>
          <div>
            Installed <strong>{notice.name}</strong> {notice.version}
          </div>
          {notice.warnings.length > 0 && (
            <ul className="alg-warnings">
              {notice.warnings.map((w, i) => (
                <li key={i} className="warn-text">
                  {w}
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : (
        <div>
          <div>
            Could not install <span className="mono">{notice.source}</span>
          </div>
          <div className="error-text alg-pre">{notice.message}</div>
        </div>
      )}
      <button className="small" onClick={() => setNotice(null)}>
        Dismiss
      </button>
    </div>
  );
}
