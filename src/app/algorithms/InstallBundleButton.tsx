// Top-bar "Install bundle" button and its dialog: from a .zip file, a folder (webkitdirectory), or a
// URL of a zip or a folder. Errors are shown verbatim (manifest errors name the field); after a
// successful install the manifest warnings are listed.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { AlgorithmInfo } from '../../core/records';
import { useInstallBundle, type InstallSource } from './useInstallBundle';
import './algorithms.css';
import { thrownMessage } from '../../core/describeValue';

type Status = { kind: 'idle' } | { kind: 'busy'; what: string } | { kind: 'error'; what: string; message: string } | { kind: 'done'; info: AlgorithmInfo };

export function InstallBundleButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button onClick={() => setOpen(true)} aria-haspopup="dialog" data-testid="install-bundle">
        Install bundle
      </button>
      {open && <InstallDialog onClose={() => setOpen(false)} />}
    </>
  );
}

function InstallDialog({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const zipRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);
  const [url, setUrl] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const install = useInstallBundle({ notify: false });
  const titleId = useId();
  const urlId = useId();

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  const run = async (source: InstallSource, what: string) => {
    setStatus({ kind: 'busy', what });
    try {
      const info = await install(source);
      setStatus({ kind: 'done', info });
    } catch (e) {
      setStatus({ kind: 'error', what, message: thrownMessage(e) });
    }
  };

  const onZip = () => {
    const f = zipRef.current?.files?.[0];
    if (f) void run(f, f.name);
    if (zipRef.current) zipRef.current.value = '';
  };
  const onFolder = () => {
    const files = Array.from(folderRef.current?.files ?? []);
    if (files.length) {
      const top = (files[0] as File & { webkitRelativePath?: string }).webkitRelativePath?.split('/')[0];
      void run(files, top ? `folder ${top}` : `${files.length} files`);
    }
    if (folderRef.current) folderRef.current.value = '';
  };
  const onUrl = (e: FormEvent) => {
    e.preventDefault();
    const u = url.trim();
    if (!u) {
      setStatus({ kind: 'error', what: 'URL', message: 'Paste the URL of a bundle zip or of a bundle folder first.' });
      return;
    }
    void run(u, u);
  };
  const busy = status.kind === 'busy';

  return (
    <dialog ref={ref} className="alg-dialog" aria-labelledby={titleId} onClose={onClose} data-testid="install-dialog">
      <h3 id={titleId}>Install an algorithm bundle</h3>
      <p className="muted">
        A bundle is a folder with <span className="mono">pyproject.toml</span> and <span className="mono">Runner.js</span>, or a zip of it. You can also drop a
        zip or a folder anywhere on the app.
      </p>
      <div className="alg-dialog-sources">
        <div className="alg-source">
          <button onClick={() => zipRef.current?.click()} disabled={busy}>
            Choose a .zip file…
          </button>
          <input ref={zipRef} type="file" accept=".zip,application/zip" hidden onChange={onZip} data-testid="install-zip-input" aria-label="Bundle zip file" />
          <button onClick={() => folderRef.current?.click()} disabled={busy}>
            Choose a folder…
          </button>
          <input
            ref={(el) => {
              folderRef.current = el;
              el?.setAttribute('webkitdirectory', '');
            }}
            type="file"
            multiple
            hidden
            onChange={onFolder}
            data-testid="install-folder-input"
            aria-label="Bundle folder"
          />
        </div>
        <form className="alg-source" onSubmit={onUrl}>
          <label htmlFor={urlId}>URL of a zip or a folder</label>
          <div className="row">
            <input
              id={urlId}
              className="grow mono"
              type="text"
              inputMode="url"
              placeholder="https://example.org/my_algorithm.zip"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              disabled={busy}
              spellCheck={false}
            />
            <button type="submit" className="primary" disabled={busy}>
              Install
            </button>
          </div>
        </form>
      </div>
      <div className="alg-dialog-status">
        {status.kind === 'busy' && (
          <p role="status">
            Installing <span className="mono">{status.what}</span>…
          </p>
        )}
        {status.kind === 'error' && (
          <div role="alert" className="alg-error" data-testid="install-error">
            <strong>Could not install {status.what}:</strong>
            <div className="alg-pre">{status.message}</div>
          </div>
        )}
        {status.kind === 'done' && (
          <div role="status" data-testid="install-success">
            <p className="ok-text">
              Installed <strong>{status.info.name}</strong> {status.info.version} — selected in the catalog.
            </p>
            {status.info.warnings.length > 0 && (
              <>
                <p className="warn-text">Manifest warnings ({status.info.warnings.length}):</p>
                <ul className="alg-warnings">
                  {status.info.warnings.map((w, i) => (
                    <li key={i}>{w}</li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
      </div>
      <div className="row alg-dialog-footer">
        <div className="grow" />
        <button onClick={() => ref.current?.close()}>Close</button>
      </div>
    </dialog>
  );
}
