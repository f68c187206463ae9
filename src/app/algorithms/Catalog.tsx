// The catalog of installed algorithms: one card each with name, version, origin, type, devices,
// tags, short description and the manifest warnings (expandable); select, copy link (URL installs:
// the pinned `?bundle=<url>&sha256=<bundle hash>`), download bundle (local installs: a zip of the
// stored files, which installs with the same hash), remove (with confirmation).
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { bundleZipName, pinnedLink } from '../../core/pinning';
import type { AlgorithmInfo } from '../../core/records';
import { useApi } from '../apiContext';
import { downloadBytes } from '../datasets/exportDataset';
import { keys } from '../state/queries';
import { useSelection } from '../state/selection';
import { thrownMessage } from '../../core/describeValue';
import { algorithmTypeTitle, algorithmTypeWords } from '../userWords';

export function originLabel(o: AlgorithmInfo['origin']): string {
  switch (o.kind) {
    case 'builtin':
      return 'built-in';
    case 'url':
      return 'URL';
    case 'zip':
      return 'local zip';
    case 'files':
      return 'local folder';
  }
}

/** The app link that installs the bundle at `url` only if its bundle hash is `hash` (`?bundle=…&sha256=…`). */
export function bundleLink(url: string, hash?: string): string {
  return pinnedLink(location.href, url, hash);
}

export function Catalog({ algorithms }: { algorithms: AlgorithmInfo[] }) {
  const { algorithmId } = useSelection();
  return (
    <ul className="alg-catalog" aria-label="Installed algorithms">
      {algorithms.map((a) => (
        <CatalogCard key={a.id} alg={a} selected={a.id === algorithmId} />
      ))}
    </ul>
  );
}

function CatalogCard({ alg, selected }: { alg: AlgorithmInfo; selected: boolean }) {
  const api = useApi();
  const qc = useQueryClient();
  const { algorithmId, setAlgorithmId } = useSelection();
  const [showWarnings, setShowWarnings] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [removing, setRemoving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copy, setCopy] = useState<{ ok: true } | { ok: false; link: string } | null>(null);
  const [downloading, setDownloading] = useState(false);
  const descId = useId();
  const warnId = useId();
  const fallbackRef = useRef<HTMLInputElement>(null);
  const cardRef = useRef<HTMLLIElement>(null);

  useEffect(() => {
    if (selected) cardRef.current?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  useEffect(() => {
    if (copy?.ok !== true) return;
    const t = setTimeout(() => setCopy(null), 2500);
    return () => clearTimeout(t);
  }, [copy]);
  useEffect(() => {
    if (copy?.ok === false) fallbackRef.current?.select();
  }, [copy]);

  const onCopy = async () => {
    const link = bundleLink(alg.origin.url ?? '', alg.bundleHash);
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(link);
      setCopy({ ok: true });
    } catch {
      setCopy({ ok: false, link });
    }
  };

  const onDownload = async () => {
    setDownloading(true);
    setError(null);
    try {
      downloadBytes(await api.algorithms.exportZip(alg.id), bundleZipName(alg), 'application/zip');
    } catch (e) {
      setError(`Could not make the zip: ${thrownMessage(e)}`);
    } finally {
      setDownloading(false);
    }
  };

  const onRemove = async () => {
    setRemoving(true);
    setError(null);
    try {
      await api.algorithms.remove(alg.id);
      if (algorithmId === alg.id) setAlgorithmId(null);
      await qc.invalidateQueries({ queryKey: keys.algorithms });
    } catch (e) {
      setError(thrownMessage(e));
      setRemoving(false);
      setConfirming(false);
    }
  };

  const devices = alg.supportedDevices.length ? alg.supportedDevices.join(', ') : 'no devices declared';
  const nWarn = alg.warnings.length;
  return (
    <li ref={cardRef} className={`alg-card${selected ? ' selected' : ''}`} data-testid={`alg-card-${alg.name}`}>
      <button className="alg-card-main" aria-pressed={selected} onClick={() => setAlgorithmId(alg.id)} aria-describedby={descId} data-testid="alg-select">
        <span className="alg-card-title">
          <strong className="alg-name">{alg.name}</strong>
          <span className="alg-version mono">{alg.version}</span>
          <span className="grow" />
          {nWarn > 0 && (
            <span className="alg-warn-count" title={`${nWarn} manifest ${nWarn === 1 ? 'warning' : 'warnings'}`} data-testid="alg-warn-count">
              ⚠ {nWarn}
              <span className="sr-only"> manifest {nWarn === 1 ? 'warning' : 'warnings'}</span>
            </span>
          )}
          <span className={`alg-origin origin-${alg.origin.kind}`} data-testid="alg-origin">
            {originLabel(alg.origin)}
          </span>
        </span>
        <span className="alg-card-meta" id={descId}>
          <span data-testid="alg-type" data-type={alg.algorithmType} title={algorithmTypeTitle(alg.algorithmType)}>
            {algorithmTypeWords(alg.algorithmType)}
          </span>{' '}
          · <span data-testid="alg-devices">{devices}</span>
          {alg.tags.map((t) => (
            <span key={t} className="chip alg-tag">
              {t}
            </span>
          ))}
        </span>
        {alg.description && (
          <span className="alg-desc" data-testid="alg-desc">
            {alg.description}
          </span>
        )}
      </button>
      {/* Actions of the selected card (select a card with Enter, then Tab to them). */}
      {selected && (
        <div className="row alg-card-actions">
          {nWarn > 0 && (
            <button
              className="small alg-warn-badge"
              aria-expanded={showWarnings}
              aria-controls={warnId}
              onClick={() => setShowWarnings((v) => !v)}
              data-testid="alg-warnings-toggle"
            >
              ⚠ {nWarn} {nWarn === 1 ? 'warning' : 'warnings'}
            </button>
          )}
          <div className="grow" />
          {alg.origin.kind === 'url' && alg.origin.url && (
            <button className="small" onClick={() => void onCopy()} title="A link that installs this exact bundle (pinned to its SHA-256)">
              Copy link
            </button>
          )}
          {(alg.origin.kind === 'zip' || alg.origin.kind === 'files') && (
            <button
              className="small"
              onClick={() => void onDownload()}
              disabled={downloading}
              title={`${bundleZipName(alg)}: host it anywhere and share it with a pinned link`}
              data-testid="alg-download"
            >
              {downloading ? 'Zipping…' : 'Download bundle'}
            </button>
          )}
          {!confirming && (
            <button className="small" onClick={() => setConfirming(true)} aria-label={`Remove ${alg.name} ${alg.version}`}>
              Remove
            </button>
          )}
        </div>
      )}
      {selected && showWarnings && (
        <ul id={warnId} className="alg-warnings" data-testid="alg-warnings">
          {alg.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
      {copy?.ok === true && (
        <p className="ok-text alg-note" role="status">
          Link copied to the clipboard.
        </p>
      )}
      {copy?.ok === false && (
        <div className="alg-note" role="status">
          <label className="muted" htmlFor={`${warnId}-link`}>
            The clipboard is not available; copy this link:
          </label>
          <div className="row">
            <input
              id={`${warnId}-link`}
              ref={fallbackRef}
              className="grow mono"
              readOnly
              value={copy.link}
              onFocus={(e) => e.target.select()}
              data-testid="copy-link-fallback"
            />
            <button className="small" onClick={() => setCopy(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {selected && confirming && (
        <div className="alg-confirm" role="alertdialog" aria-label={`Remove ${alg.name}?`}>
          <p>
            Remove <strong>{alg.name}</strong> {alg.version}?{' '}
            {alg.origin.kind === 'builtin'
              ? 'It is a built-in: built-ins are re-installed only when missing, so it comes back the next time the app starts.'
              : 'You can install it again from its bundle.'}{' '}
            Past runs keep their records and outputs.
          </p>
          <div className="row">
            <div className="grow" />
            <button className="small" onClick={() => setConfirming(false)} disabled={removing}>
              Cancel
            </button>
            <button className="small danger" onClick={() => void onRemove()} disabled={removing} autoFocus>
              {removing ? 'Removing…' : 'Remove'}
            </button>
          </div>
        </div>
      )}
      {error && (
        <p role="alert" className="error-text alg-note">
          {error}
        </p>
      )}
    </li>
  );
}
