// The compare viewer's "Link windows" checkbox: ticked, the output is shown through the input's
// window. When the two sides do not share a value range it starts unticked and says why next to it;
// the user may still tick it.
import { useId } from 'react';

export interface LinkWindowsProps {
  linked: boolean;
  /** Why each side has its own window (null: they share a value range). */
  reason: string | null;
  onChange: (linked: boolean) => void;
}

export function LinkWindows({ linked, reason, onChange }: LinkWindowsProps) {
  const id = useId();
  const why = reason ? (linked ? `Linked by you, although ${reason}.` : `Unlinked: ${reason}.`) : null;
  return (
    <span className="field link-windows" title={why ?? "Use the input's window for the output too"}>
      <input id={id} type="checkbox" checked={linked} onChange={(e) => onChange(e.target.checked)} data-testid="compare-link" />
      <label htmlFor={id}>Link windows</label>
      {why && (
        <span className="muted" data-testid="compare-link-why">
          {why}
        </span>
      )}
    </span>
  );
}
