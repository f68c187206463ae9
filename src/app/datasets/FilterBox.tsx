// The name filter over both lists (Esc clears it); a run's or prompt's output also matches by its source's name.
export function FilterBox({ filter, onChange }: { filter: string; onChange(text: string): void }) {
  return (
    <div className="ds-filter">
      <input
        type="search"
        value={filter}
        placeholder="Filter by name or source"
        aria-label="Filter stacks and datasets by name (outputs also by their source's name)"
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && filter) {
            e.preventDefault();
            onChange('');
          }
        }}
      />
    </div>
  );
}
