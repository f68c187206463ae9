// Toasts for installs started outside the install dialog (dropped zips/folders): success with the
// manifest warnings, or the error verbatim. Mounted once (by BundleUrlPrompt).
import { useEffect, useState } from 'react';
import { INSTALL_NOTICE_EVENT, type InstallNotice } from './useInstallBundle';

export function InstallNotices() {
  const [notice, setNotice] = useState<InstallNotice | null>(null);
  useEffect(() => {
    const on = (e: Event) => setNotice((e as CustomEvent<InstallNotice>).detail);
    window.addEventListener(INSTALL_NOTICE_EVENT, on);
    return () => window.removeEventListener(INSTALL_NOTICE_EVENT, on);
  }, []);
  // Success fades after a while; errors stay until dismissed.
  useEffect(() => {
    if (notice?.kind !== 'installed' || notice.warnings.length) return;
    const t = setTimeout(() => setNotice(null), 6000);
    return () => clearTimeout(t);
  }, [notice]);
  if (!notice) return null;
  return (
    <div className="toast alg-toast" role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="install-notice">
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
