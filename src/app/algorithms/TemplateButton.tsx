// "Download as a template" in the algorithm details, for every bundle (built-ins too): a zip of its
// files renamed my_<name> (bundleTemplate.ts), to unzip, edit and install or pack as a new bundle.
import { useState } from 'react';
import { thrownMessage } from '../../core/describeValue';
import type { AlgorithmInfo } from '../../core/records';
import { useApi } from '../apiContext';
import { downloadBytes } from '../datasets/exportDataset';
import { templateName, templateZipName } from './templateNames';

export function TemplateButton({ alg }: { alg: AlgorithmInfo }) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const onClick = async () => {
    setBusy(true);
    setError(null);
    try {
      const { bundleTemplate } = await import('./bundleTemplate');
      downloadBytes(bundleTemplate(await api.algorithms.exportZip(alg.id), alg.name), templateZipName(alg), 'application/zip');
    } catch (e) {
      setError(`Could not make the template of ${alg.name} ${alg.version}: ${thrownMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="alg-template">
      <button
        type="button"
        className="small"
        onClick={() => void onClick()}
        disabled={busy}
        title={`${templateZipName(alg)}: this bundle's files (pyproject.toml, Runner.js, assets) renamed ${templateName(alg.name)} — unzip, edit, then install it (Install bundle) or pack it (npm run pack)`}
        data-testid="alg-template"
      >
        {busy ? 'Zipping…' : 'Download as a template'}
      </button>
      {error && (
        <span role="alert" className="error-text alg-template-error">
          {error}
        </span>
      )}
    </span>
  );
}
