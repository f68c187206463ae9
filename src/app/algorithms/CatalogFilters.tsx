// Catalog filters: tags as chips (click = must have it; shift/alt-click, or with "Exclude" on, =
// must not have it), the algorithm type, and the device. Applied with core/algorithmQuery's
// matchesFilter — the same rules as `api.algorithms.list(filter)`.
import { useId, useState } from 'react';
import type { AlgorithmFilter } from '../../core/algorithmQuery';
import type { AlgorithmInfo } from '../../core/records';
import { algorithmTypeTitle, algorithmTypeWords } from '../userWords';

export interface CatalogFilterState {
  include: string[];
  exclude: string[];
  type: string;
  device: '' | 'cpu' | 'gpu';
  /** Plain clicks on tags exclude instead of include. */
  excludeMode: boolean;
}

export const EMPTY_FILTER: CatalogFilterState = { include: [], exclude: [], type: '', device: '', excludeMode: false };

export function toAlgorithmFilter(s: CatalogFilterState): AlgorithmFilter {
  return {
    ...(s.include.length ? { positiveTags: s.include } : {}),
    ...(s.exclude.length ? { negativeTags: s.exclude } : {}),
    ...(s.type ? { algorithmType: s.type } : {}),
    ...(s.device ? { supportedDevices: [s.device] } : {}),
  };
}

export function isFiltering(s: CatalogFilterState): boolean {
  return s.include.length > 0 || s.exclude.length > 0 || !!s.type || !!s.device;
}

/** Next filter state after clicking a tag (exclude = shift/alt-click or exclude mode). */
export function toggleTag(s: CatalogFilterState, tag: string, exclude: boolean): CatalogFilterState {
  const inc = s.include.filter((t) => t !== tag);
  const exc = s.exclude.filter((t) => t !== tag);
  if (exclude) return { ...s, include: inc, exclude: s.exclude.includes(tag) ? exc : [...exc, tag] };
  return { ...s, include: s.include.includes(tag) ? inc : [...inc, tag], exclude: exc };
}

export function CatalogFilters({
  algorithms,
  value,
  onChange,
}: {
  algorithms: AlgorithmInfo[];
  value: CatalogFilterState;
  onChange(v: CatalogFilterState): void;
}) {
  const typeId = useId();
  const deviceId = useId();
  const hintId = useId();
  const tags = [...new Set(algorithms.flatMap((a) => a.tags))].sort((a, b) => a.localeCompare(b));
  // Keep chosen tags visible even if no installed algorithm has them any more.
  for (const t of [...value.include, ...value.exclude]) if (!tags.includes(t)) tags.push(t);
  const types = [...new Set(algorithms.map((a) => a.algorithmType))].sort();
  // Many tags would push the cards out of view: then they fold behind a "Tags" button (active ones stay visible).
  const [open, setOpen] = useState(tags.length <= 6);
  const active = value.include.length + value.exclude.length;
  const tagsId = useId();
  const shownTags = open ? tags : tags.filter((t) => value.include.includes(t) || value.exclude.includes(t));
  if (value.type && !types.includes(value.type)) types.push(value.type);

  return (
    <div className="alg-filters" role="group" aria-label="Filter the catalog">
      <div className="row alg-filter-row">
        <label htmlFor={typeId} className="sr-only">
          Algorithm type
        </label>
        <select id={typeId} value={value.type} onChange={(e) => onChange({ ...value, type: e.target.value })} data-testid="filter-type">
          <option value="">Any type</option>
          {types.map((t) => (
            <option key={t} value={t} title={algorithmTypeTitle(t)}>
              {algorithmTypeWords(t)}
            </option>
          ))}
        </select>
        <label htmlFor={deviceId} className="sr-only">
          Device
        </label>
        <select
          id={deviceId}
          value={value.device}
          onChange={(e) => onChange({ ...value, device: e.target.value as CatalogFilterState['device'] })}
          data-testid="filter-device"
        >
          <option value="">Any device</option>
          <option value="cpu">cpu</option>
          <option value="gpu">gpu</option>
        </select>
        {tags.length > 0 && (
          <button className="small alg-tags-toggle" aria-expanded={open} aria-controls={tagsId} onClick={() => setOpen((v) => !v)} data-testid="tags-toggle">
            Tags{active ? ` (${active})` : ''} {open ? '▴' : '▾'}
          </button>
        )}
        {isFiltering(value) && (
          <button className="small" onClick={() => onChange({ ...EMPTY_FILTER, excludeMode: value.excludeMode })}>
            Clear
          </button>
        )}
      </div>
      {shownTags.length > 0 && (
        <div className="alg-tag-filter" id={tagsId}>
          {open && (
            <button
              className={`small alg-exclude-mode${value.excludeMode ? ' on' : ''}`}
              aria-pressed={value.excludeMode}
              onClick={() => onChange({ ...value, excludeMode: !value.excludeMode })}
              title="When on, clicking a tag hides algorithms that have it (shift- or alt-click does the same)"
              aria-describedby={hintId}
            >
              Exclude
            </button>
          )}
          <span id={hintId} className="sr-only">
            Click a tag to show only algorithms with it; shift-click or alt-click, or turn on Exclude, to hide algorithms with it.
          </span>
          {shownTags.map((t) => {
            const state = value.include.includes(t) ? 'include' : value.exclude.includes(t) ? 'exclude' : 'off';
            return (
              <button
                key={t}
                className={`chip alg-tag-chip ${state}`}
                aria-pressed={state !== 'off'}
                data-state={state}
                data-testid={`tag-filter-${t}`}
                title={
                  state === 'include'
                    ? 'Required — click to clear'
                    : state === 'exclude'
                      ? 'Excluded — click to clear'
                      : 'Click: require · Shift/Alt-click: exclude'
                }
                onClick={(e) => {
                  const exclude = state === 'exclude' ? true : e.shiftKey || e.altKey || value.excludeMode;
                  onChange(toggleTag(value, t, exclude));
                }}
              >
                {state === 'include' ? '+' : state === 'exclude' ? '−' : ''}
                {t}
                <span className="sr-only">{state === 'include' ? ' (required)' : state === 'exclude' ? ' (excluded)' : ''}</span>
              </button>
            );
          })}
        </div>
      )}
    </div>
  );
}
