// The Annotate toolbar: tools (icon and text), brush size, label (number and colour swatch), new
// label, opacity, outline, preserve labels, undo / redo with their step counts, help.
import type { LabelColors } from '../../../core/imageAxes';
import { OpacityField, RangeField } from '../controls';
import { labelPalette, paletteColor, rgbHex } from '../render/labelTables';
import { TOOLS, type AnnotateTool } from './shortcuts';

export interface ToolbarProps {
  tool: AnnotateTool;
  /** Tools that cannot be used here, with why (the button's tooltip). */
  unavailable?: Partial<Record<AnnotateTool, string>>;
  onTool(t: AnnotateTool): void;
  size: number;
  onSize(s: number): void;
  label: number;
  onLabel(l: number): void;
  onNewLabel(): void;
  colors: LabelColors | null;
  opacity: number;
  onOpacity(o: number): void;
  outline: boolean;
  onOutline(o: boolean): void;
  preserve: boolean;
  onPreserve(p: boolean): void;
  undo: number;
  redo: number;
  onUndo(): void;
  onRedo(): void;
  onHelp(): void;
}

export const MAX_BRUSH = 200;

export function AnnotateToolbar(p: ToolbarProps) {
  const rgb = p.label ? paletteColor(labelPalette(p.colors), p.label) : null;
  return (
    <>
      <span className="row annotate-tools" role="group" aria-label="Annotate tools">
        {TOOLS.map((t) => (
          <button
            key={t.tool}
            type="button"
            className="small"
            aria-pressed={p.tool === t.tool}
            data-testid={`annotate-tool-${t.tool}`}
            disabled={!!p.unavailable?.[t.tool]}
            title={p.unavailable?.[t.tool] ?? `${t.title} (${t.keys.join(' or ')})`}
            onClick={() => p.onTool(t.tool)}
          >
            <span aria-hidden="true">{t.icon}</span> {t.label}
          </button>
        ))}
      </span>
      <RangeField label="Brush size" testId="annotate-size" value={p.size} min={1} max={MAX_BRUSH} step={1} onChange={p.onSize} format={(v) => `${v} px`} />
      <span className="field annotate-label">
        <label htmlFor="annotate-label-input">Label</label>
        <input
          id="annotate-label-input"
          type="number"
          min={0}
          step={1}
          value={p.label}
          data-testid="annotate-label"
          style={{ width: 70 }}
          onChange={(e) => p.onLabel(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
        />
        <span
          className="annotate-swatch"
          data-testid="annotate-swatch"
          data-color={rgb ? rgbHex(rgb) : ''}
          title={rgb ? `Label ${p.label}: #${rgbHex(rgb)}` : 'Background (0)'}
          style={{ background: rgb ? `#${rgbHex(rgb)}` : 'transparent' }}
        />
        <button type="button" className="small" data-testid="annotate-new-label" onClick={p.onNewLabel} title="New label: the largest label + 1 (M)">
          New label
        </button>
      </span>
      <OpacityField label="Opacity" testId="annotate-opacity" value={p.opacity} onChange={p.onOpacity} />
      <label className="checkbox" title="Draw only the labels' borders (O)">
        <input type="checkbox" checked={p.outline} data-testid="annotate-outline" onChange={(e) => p.onOutline(e.target.checked)} /> Outline
      </label>
      <label className="checkbox" title="Paint and fill only over background; the eraser erases only the selected label">
        <input type="checkbox" checked={p.preserve} data-testid="annotate-preserve" onChange={(e) => p.onPreserve(e.target.checked)} /> Preserve labels
      </label>
      <button
        type="button"
        className="small"
        data-testid="annotate-undo"
        disabled={!p.undo}
        onClick={p.onUndo}
        title={`Undo (Ctrl+Z): ${p.undo} step${p.undo === 1 ? '' : 's'}`}
      >
        ↶ Undo
      </button>
      <button
        type="button"
        className="small"
        data-testid="annotate-redo"
        disabled={!p.redo}
        onClick={p.onRedo}
        title={`Redo (Ctrl+Shift+Z or Ctrl+Y): ${p.redo} step${p.redo === 1 ? '' : 's'}`}
      >
        ↷ Redo
      </button>
      <button type="button" className="small" data-testid="annotate-help-button" onClick={p.onHelp} title="Shortcuts (?)">
        ? Help
      </button>
    </>
  );
}
