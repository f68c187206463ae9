// The help panel: every Annotate shortcut (from shortcuts.ts).
import { SHORTCUTS } from './shortcuts';

export function AnnotateHelp({ onClose }: { onClose(): void }) {
  return (
    <div className="annotate-help" role="dialog" aria-label="Annotate shortcuts" data-testid="annotate-help">
      <div className="row">
        <h3>Shortcuts</h3>
        <span className="grow" />
        <button type="button" className="small" onClick={onClose} data-testid="annotate-help-close">
          Close
        </button>
      </div>
      <table>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.keys}>
              <th className="mono">{s.keys}</th>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
