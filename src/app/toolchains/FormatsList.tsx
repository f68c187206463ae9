// User data formats (`algobox.blocks.formats`): the library with each format's fields, the blocks
// carrying it and a Remove button; installing from JSON files (`{ "<user>/<name>/<version>":
// declaration, … }`, or one declaration in a file named like `point.json` with a name given here) or
// typed in. Problems come back named (format, field, value, expectation).
import { InstallHeader } from './InstallHeader';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useApi } from '../apiContext';
import { toolchainKeys } from './runState';
import { readFormatFiles } from './formatFiles';
import { thrownMessage } from '../../core/describeValue';

export function FormatsList() {
  const api = useApi();
  const qc = useQueryClient();
  const formats = useQuery({ queryKey: toolchainKeys.formats, queryFn: () => api.blocks.formats.list() });
  const [files, setFiles] = useState<File[]>([]);
  const [text, setText] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  // Bumped after an install, to clear the file input.
  const [formKey, setFormKey] = useState(0);
  const ids = { files: useId(), text: useId() };

  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: toolchainKeys.formats });
    await qc.invalidateQueries({ queryKey: ['toolchainCheck'] });
  };
  const install = async () => {
    setStatus(null);
    try {
      const set = await readFormatFiles(files, text);
      const done = await api.blocks.formats.install(set);
      setStatus({ ok: true, text: `Installed ${done.map((f) => f.name).join(', ')}.` });
      setFiles([]);
      setText('');
      setFormKey((k) => k + 1);
      await refresh();
    } catch (e) {
      setStatus({ ok: false, text: thrownMessage(e) });
    }
  };
  const remove = async (name: string) => {
    try {
      await api.blocks.formats.remove(name);
      setStatus({ ok: true, text: `Removed ${name}.` });
      await refresh();
    } catch (e) {
      setStatus({ ok: false, text: thrownMessage(e) });
    }
  };

  return (
    <section className="tc-formats-list" aria-label="Data formats">
      <InstallHeader title="Data formats" action="Install formats…" onInstall={() => void install()}>
        <label htmlFor={ids.files}>Format files (.json: {'{ "user/name/1": { "field": "type" } }'})</label>
        <input key={formKey} id={ids.files} type="file" multiple accept=".json,application/json" onChange={(e) => setFiles([...(e.target.files ?? [])])} />
        <label htmlFor={ids.text}>Or type them (JSON)</label>
        <textarea
          id={ids.text}
          rows={5}
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={'{ "user/point/1": { "x": "float64", "y": "float64" } }'}
        />
      </InstallHeader>
      {status && (
        <p className={status.ok ? 'ok-text small-text' : 'error-text small-text'} role={status.ok ? 'status' : 'alert'} data-testid="tc-formats-status">
          {status.text}
        </p>
      )}
      {formats.data?.length ? (
        <ul className="tc-format-items" data-testid="tc-formats">
          {formats.data.map((f) => (
            <li key={f.name} title={f.description ?? undefined}>
              <div className="row">
                <span className="mono small-text">{f.name}</span>
                <span className="grow" />
                <button type="button" className="small" aria-label={`Remove ${f.name}`} onClick={() => void remove(f.name)}>
                  Remove
                </button>
              </div>
              <div className="muted small-text mono">
                {f.problem ?? f.fields.map((x) => `${x.name}: ${x.type}`).join(', ')}
                {f.extends ? ` (extends ${f.extends})` : ''}
              </div>
              {f.usedBy.length > 0 && <div className="muted small-text">used by {f.usedBy.join(', ')}</div>}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small-text">No formats of yours yet (blocks use the built-in system/… ones).</p>
      )}
    </section>
  );
}
