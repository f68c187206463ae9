// "+ Add an input…": a dataset (appended to the ordered inputs) or a stack (the whole run input). Up to
// a screenful of choices it is a plain select (datasets, then stacks); beyond that a search box narrows
// it and the datasets are grouped under the stack that holds them (then the datasets in no stack), so
// a folder's 200 slices do not bury everything else.
import { useId, useState } from 'react';
import type { DatasetMeta } from '../../core/records';
import type { StackRecord } from '../../core/stacks';

/** More choices than this get the search box and the grouping by stack. */
export const PICKER_SCREENFUL = 20;

interface Props {
  datasets: readonly DatasetMeta[] | undefined;
  stacks: readonly StackRecord[];
  /** Datasets already chosen (not offered again). */
  chosen: readonly string[];
  onAddDataset(id: string): void;
  onUseStack(id: string): void;
  /** The select got the focus (refresh the lists). */
  onFocus(): void;
}

const matches = (name: string, words: readonly string[]) => words.every((w) => name.toLowerCase().includes(w));

interface Group {
  label: string;
  options: { value: string; label: string }[];
}

/** The choices in groups: by stack (beyond a screenful) or datasets then stacks; filtered by the search words. */
function groups(p: Props, grouped: boolean, words: readonly string[]): Group[] {
  const addable = (p.datasets ?? []).filter((d) => !p.chosen.includes(d.id));
  const stackGroup: Group = {
    label: 'Stacks (the whole stack as the input)',
    options: p.stacks.filter((s) => matches(s.name, words)).map((s) => ({ value: `s:${s.id}`, label: `${s.name} (${s.datasetIds.length})` })),
  };
  const option = (d: DatasetMeta) => ({ value: `d:${d.id}`, label: d.name });
  if (!grouped)
    return [
      { label: 'Datasets', options: addable.map(option) },
      { ...stackGroup, label: 'Stacks' },
    ];
  const byId = new Map(addable.map((d) => [d.id, d]));
  const placed = new Set<string>();
  const out: Group[] = [];
  for (const s of p.stacks) {
    const slices = s.datasetIds.map((id) => byId.get(id)).filter((d): d is DatasetMeta => !!d && !placed.has(d.id));
    slices.forEach((d) => placed.add(d.id));
    out.push({ label: `In stack ${s.name}`, options: slices.filter((d) => matches(d.name, words)).map(option) });
  }
  out.push({ label: 'Datasets in no stack', options: addable.filter((d) => !placed.has(d.id) && matches(d.name, words)).map(option) });
  out.push(stackGroup);
  return out;
}

export function AddInputPicker(p: Props) {
  const id = useId();
  const [search, setSearch] = useState('');
  const total = (p.datasets ?? []).filter((d) => !p.chosen.includes(d.id)).length + p.stacks.length;
  const big = total > PICKER_SCREENFUL;
  const words = big ? search.toLowerCase().split(/\s+/).filter(Boolean) : [];
  const shown = groups(p, big, words).filter((g) => g.options.length > 0);
  const count = shown.reduce((n, g) => n + g.options.length, 0);
  const first = total
    ? count
      ? words.length
        ? `+ Add an input… (${count} of ${total} match)`
        : '+ Add an input…'
      : `No input matches “${search.trim()}”`
    : (p.datasets?.length ?? 0) > 0
      ? 'Every dataset is already an input'
      : 'No datasets yet — import some';
  return (
    <div className="run-add-picker">
      {big && (
        <input
          type="search"
          className="run-add-search"
          placeholder={`Search ${total} inputs…`}
          aria-label="Search the inputs to add"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="run-add-search"
        />
      )}
      <label htmlFor={id} className="sr-only">
        Add an input
      </label>
      <select
        id={id}
        className="run-add"
        value=""
        onFocus={p.onFocus}
        onChange={(e) => {
          const v = e.target.value;
          if (v.startsWith('d:')) p.onAddDataset(v.slice(2));
          else if (v.startsWith('s:')) p.onUseStack(v.slice(2));
        }}
        data-testid="run-add-input"
      >
        <option value="">{first}</option>
        {shown.map((g) => (
          <optgroup key={g.label} label={g.label}>
            {g.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </div>
  );
}
