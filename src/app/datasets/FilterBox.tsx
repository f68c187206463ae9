// The name filter over both lists (Esc clears it).
export function FilterBox({ filter, onChange }: { filter: string; onChange(text: string): void }) {
  return (
    <div className="ds-filter">
      <input
        type="search"
        value={filter}
        placeholder="Filter by name"
        aria-label="Filter stacks and datasets by name"
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
