// The installed BEAT blocks (built-in and the user's), and installing one from its two files: the
// declaration JSON and the JS module exporting the algorithm class (as `algobox.blocks.install`), with
// optional data format files (its user formats, installed with it: `{ formats }`).
import { InstallHeader } from './InstallHeader';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useApi } from '../apiContext';
import { readFormatFiles } from './formatFiles';
import { toolchainKeys } from './runState';
import { thrownMessage } from '../../core/describeValue';

export function BlocksList() {
  const api = useApi();
  const qc = useQueryClient();
  const blocks = useQuery({ queryKey: toolchainKeys.blocks, queryFn: () => api.blocks.list() });
  const [declaration, setDeclaration] = useState<File | null>(null);
  const [module, setModule] = useState<File | null>(null);
  const [formatFiles, setFormatFiles] = useState<File[]>([]);
  const [name, setName] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const ids = { decl: useId(), mod: useId(), name: useId(), formats: useId() };

  const install = async () => {
    setStatus(null);
    try {
      if (!declaration || !module) throw new Error('Choose both files: the declaration (.json) and the module (.js).');
      let json: unknown;
      try {
        json = JSON.parse(await declaration.text());
      } catch (e) {
        throw new Error(`${declaration.name}: not JSON (${thrownMessage(e)})`, { cause: e });
      }
      const formats = formatFiles.length ? await readFormatFiles(formatFiles, '') : undefined;
      const info = await api.blocks.install(json, await module.text(), { ...(name.trim() ? { name: name.trim() } : {}), ...(formats ? { formats } : {}) });
      setStatus({ ok: true, text: `Installed ${info.id}.` });
      await qc.invalidateQueries({ queryKey: toolchainKeys.blocks });
      await qc.invalidateQueries({ queryKey: toolchainKeys.formats });
      await qc.invalidateQueries({ queryKey: ['toolchainCheck'] });
    } catch (e) {
      setStatus({ ok: false, text: thrownMessage(e) });
    }
  };

  return (
    <section className="tc-blocks-list" aria-label="Installed blocks">
      <InstallHeader
        title="Blocks"
        action="Install block…"
        onInstall={() => void install()}
        footer={
          status && (
            <p className={status.ok ? 'ok-text small-text' : 'error-text small-text'} role={status.ok ? 'status' : 'alert'}>
              {status.text}
            </p>
          )
        }
      >
        <label htmlFor={ids.decl}>Declaration (.json)</label>
        <input id={ids.decl} type="file" accept=".json,application/json" onChange={(e) => setDeclaration(e.target.files?.[0] ?? null)} />
        <label htmlFor={ids.mod}>Module (.js, exports the algorithm class)</label>
        <input id={ids.mod} type="file" accept=".js,.mjs,text/javascript" onChange={(e) => setModule(e.target.files?.[0] ?? null)} />
        <label htmlFor={ids.formats}>Data formats it uses (.json, optional)</label>
        <input id={ids.formats} type="file" multiple accept=".json,application/json" onChange={(e) => setFormatFiles([...(e.target.files ?? [])])} />
        <label htmlFor={ids.name}>Name (optional, e.g. user/my_block/1)</label>
        <input id={ids.name} type="text" value={name} onChange={(e) => setName(e.target.value)} />
      </InstallHeader>
      <ul className="tc-block-items">
        {(blocks.data ?? []).map((b) => (
          <li key={b.id} title={b.description ?? undefined}>
            <span className="mono small-text">{b.id}</span>
            <span className="muted small-text">
              {' '}
              {b.origin === 'builtin' ? 'built-in' : 'yours'} · {b.isAnalyzer ? 'analyzer' : b.loop ? `loop ${b.loop.role}` : b.type}
              {b.splittable ? ' · splittable' : ''}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
