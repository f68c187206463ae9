// Opening the app with `?bundle=<url>` asks to install that bundle; on Install it is installed and
// selected. With `&sha256=<bundle hash>` (a pinned link) the bundle must have that hash or it is
// refused before anything is stored; without it, the bundle is fetched and hashed first and the
// prompt shows its SHA-256 so the user can compare it with the one the author publishes (what was
// shown is then what gets installed: the install is pinned to it). The parameters are removed from the
// address (history.replaceState) on Install or Cancel, so a reload does not ask again. Also hosts the
// install toasts (this component is mounted once).
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { sha256Problem, type BundleInspection } from '../../core/pinning';
import { useApi } from '../apiContext';
import { formatBytes } from '../datasets/format';
import { useAlgorithms } from '../state/queries';
import { useSelection } from '../state/selection';
import { useInstallBundle } from './useInstallBundle';
import './algorithms.css';
import { thrownMessage } from '../../core/describeValue';

interface BundleParams {
  url: string;
  /** The `sha256` parameter as given (null when the link does not pin a hash). */
  sha256: string | null;
}

function readBundleParams(): BundleParams | null {
  const q = new URLSearchParams(location.search);
  const v = q.get('bundle');
  if (!v || !v.trim()) return null;
  const h = q.get('sha256');
  return { url: v.trim(), sha256: h === null ? null : h.trim() };
}

function dropBundleParams(): void {
  const u = new URL(location.href);
  if (!u.searchParams.has('bundle') && !u.searchParams.has('sha256')) return;
  u.searchParams.delete('bundle');
  u.searchParams.delete('sha256');
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
  const [params, setParams] = useState<BundleParams | null>(readBundleParams);
  return params && <Prompt url={params.url} sha256={params.sha256} onDone={() => setParams(null)} />;
}

type Check = { kind: 'checking' } | { kind: 'done'; info: BundleInspection } | { kind: 'error'; message: string };

function Prompt({ url, sha256, onDone }: { url: string; sha256: string | null; onDone: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const api = useApi();
  const install = useInstallBundle({ notify: false });
  const algorithms = useAlgorithms();
  const { setAlgorithmId } = useSelection();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [check, setCheck] = useState<Check | null>(null);
  const titleId = useId();
  const href = absoluteUrl(url);
  const pinned = sha256 !== null;
  const pinProblem = pinned ? sha256Problem(sha256, "The link's sha256") : null;
  const pin = pinned && !pinProblem ? sha256.toLowerCase() : null;
  const hash = pin ?? (check?.kind === 'done' ? check.info.bundleHash : null);
  const sameHash = hash ? algorithms.data?.find((a) => a.bundleHash === hash) : undefined;
  const sameUrl = algorithms.data?.find((a) => a.origin.kind === 'url' && a.origin.url === href);
  const already = sameHash ?? sameUrl;

  // Without a pinned hash: fetch and hash first, then ask.
  const inspect = useCallback(async () => {
    setCheck({ kind: 'checking' });
    try {
      setCheck({ kind: 'done', info: await api.algorithms.inspect(url) });
    } catch (e) {
      setCheck({ kind: 'error', message: thrownMessage(e) });
    }
  }, [api, url]);
  useEffect(() => {
    if (!pinned) void inspect();
  }, [pinned, inspect]);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    // Focus starts on Cancel: installing runs someone else's code.
    cancelRef.current?.focus();
    return () => d?.close();
  }, []);

  const finish = () => {
    dropBundleParams();
    onDone();
  };
  const onInstall = async () => {
    if (!pinned && (check?.kind !== 'done' || error)) {
      // Check again (the first check failed, or the bundle changed since it was shown).
      setError(null);
      void inspect();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // Unpinned links install what was shown: pinned to the hash just computed.
      await install(url, { sha256: pin ?? (check?.kind === 'done' ? check.info.bundleHash : undefined) });
      finish();
    } catch (e) {
      setError(thrownMessage(e));
      setBusy(false);
    }
  };
  const checking = check?.kind === 'checking';
  const canInstall = !busy && !pinProblem && (pinned || check?.kind === 'done' || check?.kind === 'error');

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
      {pin && (
        <p data-testid="bundle-url-pin">
          The link pins its SHA-256: <span className="mono alg-hash">{pin}</span>. The bundle is checked against it before anything is stored; a different
          bundle is refused.
        </p>
      )}
      {pinProblem && (
        <div role="alert" className="alg-error" data-testid="bundle-url-error">
          <strong>This link cannot be used:</strong>
          <div className="alg-pre">{pinProblem}</div>
        </div>
      )}
      {!pinned && checking && <p role="status">Fetching and checking the bundle…</p>}
      {!pinned && check?.kind === 'done' && (
        <div data-testid="bundle-url-check">
          <p>
            It is <strong>{check.info.name}</strong> {check.info.version} ({check.info.files.length} {check.info.files.length === 1 ? 'file' : 'files'},{' '}
            {formatBytes(check.info.byteLength)}), SHA-256:
          </p>
          <p className="mono alg-hash" data-testid="bundle-url-hash">
            {check.info.bundleHash}
          </p>
          <p className="muted">The link does not pin a hash: compare this one with the SHA-256 the bundle&apos;s author publishes before you install it.</p>
        </div>
      )}
      <p className="muted">
        Its code runs in this browser, in an isolated worker. Install only bundles from sources you trust; you are asked again before its first run.
      </p>
      {already && (
        <p className="muted">
          {already.name} {already.version} is already installed {already === sameHash ? 'with this SHA-256' : 'from this link'}; installing again replaces it.
        </p>
      )}
      {busy && <p role="status">Installing…</p>}
      {(error ?? (check?.kind === 'error' ? check.message : null)) && (
        <div role="alert" className="alg-error" data-testid="bundle-url-error">
          <strong>Could not install it:</strong>
          <div className="alg-pre">{error ?? (check?.kind === 'error' ? check.message : '')}</div>
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
        <button ref={cancelRef} onClick={() => ref.current?.close()} disabled={busy}>
          Cancel
        </button>
        <button className="primary" onClick={() => void onInstall()} disabled={!canInstall}>
          {error || check?.kind === 'error' ? 'Try again' : 'Install'}
        </button>
      </div>
    </dialog>
  );
}
