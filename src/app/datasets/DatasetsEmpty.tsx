// The panel with nothing stored: how to import, and the sample data.
export function DatasetsEmpty({ onAddSamples, busy }: { onAddSamples(): void; busy: boolean }) {
  return (
    <div className="ds-empty" data-testid="datasets-empty">
      <div className="ds-empty-icon" aria-hidden="true">
        ⬇
      </div>
      <h3>No datasets yet</h3>
      <p>Drop images or folders anywhere, or use Import.</p>
      <p className="muted">PNG, JPEG, TIFF (8/16/32-bit, multi-page → a stack) and NPY. A folder becomes a stack of its images in natural name order.</p>
      <button onClick={onAddSamples} disabled={busy}>
        Add sample data
      </button>
    </div>
  );
}
