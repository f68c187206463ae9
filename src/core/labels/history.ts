// Undo/redo of label edits: one step per tool action (a pointer-down…up stroke, a fill, a polygon),
// each knowing the slice it changed, so undo works across the slices of a stack or volume whatever
// slice or tool is shown now. The oldest steps are dropped when the steps together exceed `maxBytes`,
// but never below `minSteps`; a new edit clears the redo steps.
import { applyChange, changeBytes, type LabelChange } from './change';

export interface HistoryStep {
  /** The slice changed (index in the stack / Z). */
  slice: number;
  change: LabelChange;
  /** What made it ("brush", "fill", …). */
  tool: string;
}

export interface HistoryOptions {
  maxBytes?: number;
  minSteps?: number;
}

export const DEFAULT_HISTORY_BYTES = 256 * 2 ** 20;
export const MIN_HISTORY_STEPS = 100;

export class LabelHistory {
  private done: HistoryStep[] = [];
  private undone: HistoryStep[] = [];
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly minSteps: number;

  constructor(o: HistoryOptions = {}) {
    this.maxBytes = o.maxBytes ?? DEFAULT_HISTORY_BYTES;
    this.minSteps = o.minSteps ?? MIN_HISTORY_STEPS;
  }

  get undoCount(): number {
    return this.done.length;
  }
  get redoCount(): number {
    return this.undone.length;
  }

  /** Record a step already applied (empty changes are not steps). */
  push(step: HistoryStep): void {
    if (!step.change.indices.length) return;
    this.done.push(step);
    this.bytes += changeBytes(step.change);
    for (const s of this.undone) this.bytes -= changeBytes(s.change);
    this.undone = [];
    while (this.done.length > this.minSteps && this.bytes > this.maxBytes) this.bytes -= changeBytes(this.done.shift()!.change);
  }

  /** Undo the last step into `sliceOf(step.slice)`; the step undone, or null. */
  undo(sliceOf: (slice: number) => Int32Array): HistoryStep | null {
    const s = this.done.pop();
    if (!s) return null;
    applyChange(sliceOf(s.slice), s.change, 'undo');
    this.undone.push(s);
    return s;
  }

  /** Redo the last undone step; the step, or null. */
  redo(sliceOf: (slice: number) => Int32Array): HistoryStep | null {
    const s = this.undone.pop();
    if (!s) return null;
    applyChange(sliceOf(s.slice), s.change, 'redo');
    this.done.push(s);
    return s;
  }

  /** The steps applied, oldest first (drafts replay them). */
  steps(): readonly HistoryStep[] {
    return this.done;
  }
}
