// Opening the app with `?bundle=<url>` asks to install that bundle; on Install it is installed and
// selected. The parameter is then removed from the address (history.replaceState) either way, so a
// reload does not ask again. Also hosts the install toasts (this component is mounted once).
import { useEffect, useId, useRef, useState } from 'react';
import { useAlgorithms } from '../state/queries';
import { useSelection } from '../state/selection';
import { InstallNotices } from './InstallNotices';
import { useInstallBundle } from './useInstallBundle';
import './algorithms.css';

function readBundleParam(): string | null {
  const v = new URLSearchParams(location.search).get('bundle');
  return v && v.trim() ? v.trim() : null;
}

function dropBundleParam(): void {
  const u = new URL(location.href);
  if (!u.searchParams.has('bundle')) return;
  u.searchParams.delete('bundle');
  history.replaceState(history.state, '', `${u.pathname}${u.search}${u.hash}`);
}

function absoluteUrl(u: string): string | null {
  try {
    return new URL(u, location.href).href;
  } catch {
    return null;
  }
}

export function BundleUrlPrompt() {
  const [url, setUrl] = useState<string | null>(readBundleParam);
  return (
    <>
      {url && <Prompt url={url} onDone={() => setUrl(null)} />}
      <InstallNotices />
    </>
  );
}

function Prompt({ url, onDone }: { url: string; onDone: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const install = useInstallBundle({ notify: false });
  const algorithms = useAlgorithms();
  const { setAlgorithmId } = useSelection();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  const href = absoluteUrl(url);
  const already = algorithms.data?.find((a) => a.origin.kind === 'url' && a.origin.url === href);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  const finish = () => {
    dropBundleParam();
    onDone();
  };
  const onInstall = async () => {
    setBusy(true);
    setError(null);
    try {
      await install(url);
      finish();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={ref}
      className="alg-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        if (busy) e.preventDefault();
      }}
      onClose={finish}
      data-testid="bundle-url-prompt"
    >
      <h3 id={titleId}>Install the algorithm bundle from this link?</h3>
      <p>
        Install the algorithm bundle from <span className="mono alg-url">{url}</span>?
      </p>
      <p className="muted">Its code runs in this browser, in an isolated worker. Install only bundles from sources you trust.</p>
      {already && (
        <p className="muted">
          {already.name} {already.version} is already installed from this link; installing again replaces it.
        </p>
      )}
      {busy && <p role="status">Installing…</p>}
      {error && (
        <div role="alert" className="alg-error" data-testid="bundle-url-error">
          <strong>Could not install it:</strong>
          <div className="alg-pre">{error}</div>
        </div>
      )}
      <div className="row alg-dialog-footer">
        <div className="grow" />
        {already && (
          <button
            onClick={() => {
              setAlgorithmId(already.id);
              ref.current?.close();
            }}
            disabled={busy}
          >
            Use the installed one
          </button>
        )}
        <button onClick={() => ref.current?.close()} disabled={busy}>
          Cancel
        </button>
        {/* Focus starts on Cancel (the first button): installing runs someone else's code. */}
        <button className="primary" onClick={() => void onInstall()} disabled={busy}>
          {error ? 'Try again' : 'Install'}
        </button>
      </div>
    </dialog>
  );
}
