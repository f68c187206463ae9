// The selected algorithm: description, type, devices, tags, origin, "Download as a template",
// manifest warnings, and its parameter form.
import { useState } from 'react';
import type { AlgorithmInfo } from '../../core/records';
import { originLabel } from './Catalog';
import { ParamForm, type ParamFormProps } from './ParamForm';
import { SelfTestPanel } from './SelfTestPanel';
import { algorithmTypeTitle, algorithmTypeWords } from '../userWords';
import { TemplateButton } from './TemplateButton';

export function AlgorithmDetails({ alg, form }: { alg: AlgorithmInfo; form: ParamFormProps }) {
  const long = alg.description.length > 140;
  const [open, setOpen] = useState(false);
  const devices = alg.supportedDevices.length ? alg.supportedDevices.map((d) => (d === alg.defaultDevice ? `${d} (default)` : d)).join(', ') : 'none declared';
  return (
    <section className="alg-details" aria-label={`${alg.name} ${alg.version}`} data-testid="alg-details">
      <h3>
        {alg.name} <span className="alg-version mono">{alg.version}</span>
      </h3>
      {alg.description ? (
        <p className={`alg-details-desc${long && !open ? ' clamped' : ''}`} data-testid="alg-details-desc">
          {alg.description}
        </p>
      ) : (
        <p className="muted">No description.</p>
      )}
      <p className="alg-facts">
        <span title={algorithmTypeTitle(alg.algorithmType)}>{algorithmTypeWords(alg.algorithmType)}</span> · <span title="Supported devices">{devices}</span> ·{' '}
        <span className="alg-origin-text" title={alg.origin.url ?? 'Installed from'}>
          {originLabel(alg.origin)}
          {alg.origin.url && alg.origin.kind === 'url' ? ` ${alg.origin.url}` : ''}
        </span>
      </p>
      {/* One row of actions under the facts, so the parameter form keeps its room (1280×800 and 1024×700). */}
      <div className="row alg-details-actions">
        {long && (
          <button type="button" className="small" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Less' : 'More about it'}
          </button>
        )}
        <TemplateButton alg={alg} />
      </div>
      {alg.warnings.length > 0 && (
        <details className="alg-details-warnings">
          <summary className="warn-text">
            ⚠ {alg.warnings.length} manifest {alg.warnings.length === 1 ? 'warning' : 'warnings'}
          </summary>
          <ul className="alg-warnings">
            {alg.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </details>
      )}
      <SelfTestPanel alg={alg} />
      <ParamForm {...form} />
    </section>
  );
}
