// Before the first run of a third-party bundle (origin not 'builtin'), show what is about to run —
// where it came from, name, version, bundle hash, total size and every file — and ask. "Trust and
// run" records the decision per bundle hash (api.algorithms.trust), so the same bundle never asks
// again and a changed one does. Built-ins never ask. The API does not enforce this: it is the app's
// question to its user (scripts calling execute are their author's decision).
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { AlgorithmInfo } from '../../core/records';
import { useApi } from '../apiContext';
import { formatBytes } from '../datasets/format';
import { originLabel } from './Catalog';
import { thrownMessage } from '../../core/describeValue';

const filesKey = (id: string) => ['algorithm-files', id] as const;

interface Asking {
  alg: AlgorithmInfo;
  actionLabel: string;
  resolve: (ok: boolean) => void;
}

/**
 * `ensureTrusted(alg, actionLabel?)` resolves true at once for built-ins and trusted bundles;
 * otherwise it opens the trust dialog for `alg` (render `dialog`) and resolves with the user's answer
 * (true after the decision is stored). For places that run several algorithms (toolchains).
 */
export function useTrustPrompt(): { ensureTrusted: (alg: AlgorithmInfo, actionLabel?: string) => Promise<boolean>; dialog: ReactNode } {
  const api = useApi();
  const [asking, setAsking] = useState<Asking | null>(null);

  const ensureTrusted = useCallback(
    async (alg: AlgorithmInfo, actionLabel = 'Trust and run') => {
      if (alg.origin.kind === 'builtin') return true;
      if (await api.algorithms.isTrusted(alg.id)) return true;
      return new Promise<boolean>((resolve) => setAsking({ alg, actionLabel, resolve }));
    },
    [api],
  );

  const settle = (ok: boolean) => {
    asking?.resolve(ok);
    setAsking(null);
  };

  const dialog = asking ? (
    <TrustDialog
      key={asking.alg.id}
      alg={asking.alg}
      actionLabel={asking.actionLabel}
      onTrust={async () => {
        await api.algorithms.trust(asking.alg.id);
        settle(true);
      }}
      onCancel={() => settle(false)}
    />
  ) : null;
  return { ensureTrusted, dialog };
}

/** `useTrustPrompt` for one algorithm: `ensureTrusted(actionLabel?)`. */
export function useTrustGate(alg: AlgorithmInfo): { ensureTrusted: (actionLabel?: string) => Promise<boolean>; dialog: ReactNode } {
  const prompt = useTrustPrompt();
  const { ensureTrusted: ask } = prompt;
  const ensureTrusted = useCallback((actionLabel?: string) => ask(alg, actionLabel), [ask, alg]);
  return { ensureTrusted, dialog: prompt.dialog };
}

function TrustDialog({ alg, actionLabel, onTrust, onCancel }: { alg: AlgorithmInfo; actionLabel: string; onTrust: () => Promise<void>; onCancel: () => void }) {
  const api = useApi();
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const decided = useRef(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  const files = useQuery({ queryKey: filesKey(alg.id), queryFn: () => api.algorithms.files(alg.id) });
  const total = files.data?.reduce((s, f) => s + f.size, 0) ?? null;

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    // Focus starts on Cancel: trusting runs someone else's code.
    cancelRef.current?.focus();
    return () => d?.close();
  }, []);

  const cancel = () => {
    if (decided.current) return;
    decided.current = true;
    onCancel();
  };
  const trust = async () => {
    setSaving(true);
    setError(null);
    try {
      decided.current = true;
      await onTrust();
    } catch (e) {
      decided.current = false;
      setError(thrownMessage(e));
      setSaving(false);
    }
  };

  return (
    <dialog
      ref={ref}
      className="alg-dialog trust-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        if (saving) e.preventDefault();
      }}
      onClose={cancel}
      data-testid="trust-dialog"
    >
      <h3 id={titleId}>Run a third-party bundle?</h3>
      <p>
        <strong>{alg.name}</strong> {alg.version} is not a built-in bundle. Its code runs in this browser, on the inputs you give it. Run it only if you trust
        where it comes from.
      </p>
      <dl className="trust-facts">
        <dt>From</dt>
        <dd data-testid="trust-origin">
          {alg.origin.kind === 'url' && alg.origin.url ? <span className="mono alg-url">{alg.origin.url}</span> : originLabel(alg.origin)}
        </dd>
        <dt>Name</dt>
        <dd data-testid="trust-name">{alg.name}</dd>
        <dt>Version</dt>
        <dd className="mono" data-testid="trust-version">
          {alg.version}
        </dd>
        <dt>SHA-256</dt>
        <dd className="mono alg-hash" data-testid="trust-hash">
          {alg.bundleHash}
        </dd>
        <dt>Size</dt>
        <dd data-testid="trust-size" title={total === null ? undefined : `${total} bytes`}>
          {total === null ? '…' : `${formatBytes(total)} in ${files.data!.length} ${files.data!.length === 1 ? 'file' : 'files'}`}
        </dd>
      </dl>
      {files.isError && <p className="error-text">Could not list its files: {thrownMessage(files.error)}</p>}
      {files.data && (
        <div className="trust-files-wrap">
          <table className="trust-files" data-testid="trust-files" aria-label="Files of the bundle">
            <thead>
              <tr>
                <th scope="col">file</th>
                <th scope="col">size</th>
              </tr>
            </thead>
            <tbody>
              {files.data.map((f) => (
                <tr key={f.path} data-testid="trust-file" title={f.sha256 ? `SHA-256 ${f.sha256}` : undefined}>
                  <td className="mono">{f.path}</td>
                  <td className="num">{formatBytes(f.size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted">The decision is remembered for this exact bundle (its SHA-256): a changed bundle asks again.</p>
      {error && (
        <p role="alert" className="error-text">
          Could not record the decision: {error}
        </p>
      )}
      <div className="row alg-dialog-footer">
        <div className="grow" />
        <button ref={cancelRef} onClick={() => ref.current?.close()} disabled={saving}>
          Cancel
        </button>
        <button className="primary" onClick={() => void trust()} disabled={saving || !files.data} data-testid="trust-accept">
          {saving ? 'Saving…' : actionLabel}
        </button>
      </div>
    </dialog>
  );
}
