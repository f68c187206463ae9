// A side column of the workbench that collapses to a rail: open, the panel with a narrow strip on
// its inner edge holding the collapse button; collapsed, one button the height of the column
// ("Datasets ▸") that opens it again. The panel stays mounted while collapsed (hidden), so its
// state — form edits, an Undo, import reports — survives.
import type { ReactNode } from 'react';
import type { Side } from './panelLayout';

interface SidePanelProps {
  side: Side;
  /** The panel's name, as the rail and the buttons say it. */
  label: string;
  open: boolean;
  onOpenChange(open: boolean): void;
  children: ReactNode;
}

export function SidePanel({ side, label, open, onOpenChange, children }: SidePanelProps) {
  // Arrows point the way the panel moves: a left panel collapses leftwards.
  const [hide, show] = side === 'left' ? ['◂', '▸'] : ['▸', '◂'];
  const key = label.toLowerCase();
  return (
    <aside className={`${side} side-panel${open ? '' : ' collapsed'}`} aria-label={label} data-testid={`side-${key}`}>
      <div className="side-panel-body" hidden={!open}>
        {children}
      </div>
      {open ? (
        <div className="side-strip">
          <button
            type="button"
            className="side-toggle"
            aria-expanded="true"
            aria-label={`Collapse the ${label} panel`}
            title={`Collapse the ${label} panel (the viewer gets the width)`}
            onClick={() => onOpenChange(false)}
            data-testid={`collapse-${key}`}
          >
            {hide}
          </button>
        </div>
      ) : (
        <button
          type="button"
          className="side-rail"
          aria-expanded="false"
          aria-label={`Show the ${label} panel`}
          title={`Show the ${label} panel`}
          onClick={() => onOpenChange(true)}
          data-testid={`expand-${key}`}
        >
          <span aria-hidden="true">{show}</span>
          <span className="side-rail-label">{label}</span>
        </button>
      )}
    </aside>
  );
}
