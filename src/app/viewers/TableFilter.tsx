// A table's filter box (conditions like "area > 500, image = a.tif"; render/tableRows.ts parses them), marked
// invalid while its text cannot be read. Shared by the table viewer and the toolchain page's table results.
export interface TableFilterProps {
  value: string;
  onChange(text: string): void;
  /** False while the text cannot be read (the box is marked invalid; the caller says why). */
  ok: boolean;
  placeholder: string;
  label: string;
}

export function TableFilter({ value, onChange, ok, placeholder, label }: TableFilterProps) {
  return (
    <input
      type="search"
      className="table-filter"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      placeholder={placeholder}
      title="Conditions joined by 'and' or commas: column > < >= <= = != number; text column = value; a word alone matches text columns"
      aria-label={label}
      aria-invalid={!ok}
      data-testid="table-filter"
    />
  );
}
