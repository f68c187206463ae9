// "Live preview" for an algorithm that declares one ([tool.algobox] preview = true: the fast built-ins):
// while ticked, the algorithm runs on the plane the viewer shows (state/preview.tsx) with the form's
// current arguments through api.preview — nothing is stored — and the viewer draws the result over
// the image. Parameter changes are debounced; an answer to an older request than the newest is dropped
// (the engine also drops requests a newer one superseded while they waited).
import { useEffect, useId, useRef, useState } from 'react';
import type { AlgorithmInfo } from '../../core/records';
import { thrownMessage } from '../../core/describeValue';
import { useApi } from '../apiContext';
import { usePreview } from '../state/preview';
import type { FormResult } from './paramValues';

/** Quiet time after the last change before a preview is asked for. */
export const PREVIEW_DEBOUNCE_MS = 120;

type Status = { kind: 'idle' } | { kind: 'busy' } | { kind: 'done'; ms: number; foreground: number; total: number } | { kind: 'error'; message: string };

export function PreviewToggle({ alg, form }: { alg: AlgorithmInfo; form: FormResult }) {
  const api = useApi();
  const { plane, setLayer } = usePreview();
  const [on, setOn] = useState(false);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const seq = useRef(0);
  const version = useRef(0);
  const id = useId();
  const argsKey = JSON.stringify(form.args);
  const planeKey = plane ? `${plane.datasetId}|${plane.key}|${plane.at.join(',')}` : '';

  useEffect(() => {
    if (!on || !plane || !form.valid) {
      seq.current++;
      setLayer(null);
      setStatus({ kind: 'idle' });
      return;
    }
    const mine = ++seq.current;
    const timer = setTimeout(() => {
      setStatus({ kind: 'busy' });
      api
        .preview(alg.id, plane.datasetId, form.args, { key: plane.key, at: plane.at })
        .then((r) => {
          if (mine !== seq.current || r.superseded) return;
          const d = r.output.data as ArrayLike<number>;
          let fg = 0;
          for (let i = 0; i < d.length; i++) if (d[i]! > 0) fg++;
          setLayer({ datasetId: plane.datasetId, key: r.key, at: r.at, output: r.output, algorithm: `${alg.name} ${alg.version}`, version: ++version.current });
          setStatus({ kind: 'done', ms: r.ms, foreground: fg, total: d.length });
        })
        .catch((e: unknown) => {
          if (mine !== seq.current) return;
          setLayer(null);
          setStatus({ kind: 'error', message: thrownMessage(e) });
        });
    }, PREVIEW_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- argsKey and planeKey are the identities of form.args and plane
  }, [on, planeKey, argsKey, form.valid, alg.id, api, setLayer]);

  // The layer goes when the toggle does (another algorithm, the panel closed).
  useEffect(() => () => setLayer(null), [setLayer]);

  const text = !on
    ? 'Shows the result on the image in view as you change the parameters; nothing is stored.'
    : !plane
      ? 'Open an image (or a stack slice) in the viewer to preview on it.'
      : !form.valid
        ? 'Fix the parameters above to preview.'
        : status.kind === 'busy' || status.kind === 'idle'
          ? `Computing the preview on ${plane.label}…`
          : status.kind === 'error'
            ? status.message
            : `Preview on ${plane.label}: ${status.foreground} of ${status.total} pixels foreground (${Math.round(status.ms)} ms). Not stored: Run to keep it.`;
  return (
    <section className="preview-toggle" aria-label="Live preview" data-testid="preview-panel" data-state={on ? status.kind : 'off'}>
      <label htmlFor={id} className="row preview-toggle-label" title="Shows the result on the image in view as you change the parameters; nothing is stored.">
        <input id={id} type="checkbox" checked={on} onChange={(e) => setOn(e.target.checked)} data-testid="preview-toggle" />
        <span>Live preview</span>
      </label>
      {/* Off, the line is the tooltip above: the run controls stay short. */}
      <p className={`small-text ${status.kind === 'error' && on ? 'error-text' : 'muted'}`} data-testid="preview-status" aria-live="polite" hidden={!on}>
        {text}
      </p>
    </section>
  );
}
