// The Annotate tools and every shortcut, in one table: the key handler and the help panel both read it.

export type AnnotateTool = 'brush' | 'eraser' | 'fill' | 'polygon' | 'lasso' | 'pick' | 'sam';

export const TOOLS: { tool: AnnotateTool; label: string; icon: string; keys: string[]; title: string }[] = [
  { tool: 'brush', label: 'Brush', icon: '✎', keys: ['P', '2'], title: 'Paint the selected label with a disc' },
  { tool: 'eraser', label: 'Eraser', icon: '⌫', keys: ['E', '1'], title: 'Erase to background (0)' },
  { tool: 'fill', label: 'Fill', icon: '◧', keys: ['F', '3'], title: 'Fill the connected region of the clicked label (4-connected)' },
  { tool: 'polygon', label: 'Polygon', icon: '⬠', keys: ['G'], title: 'Click vertices; Enter, double-click or a click on the first vertex fills' },
  { tool: 'lasso', label: 'Lasso', icon: '◌', keys: ['L'], title: 'Drag a freehand outline; releasing fills it' },
  { tool: 'pick', label: 'Pick', icon: '⊕', keys: ['K', '4'], title: 'Select the label under the pointer' },
  {
    tool: 'sam',
    label: 'SAM',
    icon: '✦',
    keys: ['S'],
    title: 'Click an object to segment it (shift/right-click: background, drag: box); Enter adds it as the current label',
  },
];

export type AnnotateAction = { tool: AnnotateTool } | { do: 'newLabel' | 'smaller' | 'larger' | 'undo' | 'redo' | 'help' | 'outline' | 'finish' | 'cancel' };

/** Every shortcut with what it does (the help panel lists these rows). */
export const SHORTCUTS: { keys: string; what: string }[] = [
  ...TOOLS.map((t) => ({ keys: t.keys.join(' or '), what: `${t.label}: ${t.title.toLowerCase()}` })),
  { keys: 'M', what: 'New label: the largest label + 1' },
  { keys: '[ / ]', what: 'Brush size smaller / larger' },
  { keys: 'Ctrl+Z', what: 'Undo (one stroke or tool action)' },
  { keys: 'Ctrl+Shift+Z or Ctrl+Y', what: 'Redo' },
  { keys: 'O', what: 'Outline / filled labels' },
  { keys: 'Enter', what: 'Close and fill the polygon; SAM: accept the object' },
  { keys: 'Esc', what: 'Cancel the polygon; SAM: clear the prompts' },
  { keys: ', / .  (< / >, Page Up / Down)', what: 'Previous / next slice' },
  { keys: 'Space+drag or middle-drag', what: 'Pan' },
  { keys: 'Wheel, + / −', what: 'Zoom; 0 fits' },
  { keys: '?', what: 'This help' },
];

/** The action of a key press (null: not an Annotate key). */
export function actionOf(e: { key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }): AnnotateAction | null {
  const k = e.key;
  if (e.ctrlKey || e.metaKey) {
    if (k === 'z' || k === 'Z') return { do: e.shiftKey ? 'redo' : 'undo' };
    if (k === 'y' || k === 'Y') return { do: 'redo' };
    return null;
  }
  if (e.altKey) return null;
  const t = TOOLS.find((x) => x.keys.some((key) => key.toLowerCase() === k.toLowerCase()));
  if (t) return { tool: t.tool };
  switch (k) {
    case 'm':
    case 'M':
      return { do: 'newLabel' };
    case '[':
      return { do: 'smaller' };
    case ']':
      return { do: 'larger' };
    case '?':
      return { do: 'help' };
    case 'o':
    case 'O':
      return { do: 'outline' };
    case 'Enter':
      return { do: 'finish' };
    case 'Escape':
      return { do: 'cancel' };
    default:
      return null;
  }
}
