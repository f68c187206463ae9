// The frame every viewer shares: toolbar (contrast controls, a row of the viewer's own controls and the
// "Loading…" status), warning notes, the body — an error, a loading message or the viewer's content —
// and the slice/pair/item slider. With a slider, `,` / `.` (and `<` / `>`, Page Up / Page Down) step it
// from anywhere in the viewer but a form field, as `<` / `>` step slices in Fiji (the arrow keys pan the
// image, or step the slider when it has the focus).
import type { HTMLAttributes, KeyboardEvent, ReactNode } from 'react';
import { SliceSlider, ViewerMessage, type SliceNav } from './controls';

export interface ViewerFrameProps {
  /** The root's class after `viewer` and its test id, e.g. `image-viewer`. */
  name: string;
  /** Extra attributes of the root (`data-*` read by tests). */
  rootProps?: HTMLAttributes<HTMLDivElement> & Record<`data-${string}`, string | number>;
  onKeyDown?: (e: KeyboardEvent<HTMLDivElement>) => void;
  /**
   * The toolbar's first part (contrast controls, a field picker). Without `toolbar` and `controls`
   * there is no toolbar (and no "Loading…" status in it).
   */
  toolbar?: ReactNode;
  /** The viewer's own controls, one wrapping row; "Loading…" goes at its end. */
  controls?: ReactNode;
  loading?: boolean;
  /** Warnings shown above the body (empty entries are skipped). */
  notes?: readonly (string | null | undefined | false)[];
  /** Shown instead of the body, as an error. */
  problem?: string | null;
  /** Shown instead of the body while its data loads (e.g. "Loading image…"). */
  waiting?: string | null;
  nav?: SliceNav;
  /** Test id of the slider (`slice-slider` unless given). */
  navTestId?: string;
  /**
   * A second slider above `nav` (`output-slider`): a run's outputs when each is itself a stack of
   * slices (`nav` moves through Z, this one from output to output; the keys step `nav`).
   */
  outputNav?: SliceNav;
  children?: ReactNode;
}

/** Keys that step the slider by −1 / +1. */
const NAV_STEPS: Record<string, number> = { ',': -1, '<': -1, PageUp: -1, '.': 1, '>': 1, PageDown: 1 };

function inFormField(target: EventTarget): boolean {
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLSelectElement ||
    target instanceof HTMLTextAreaElement ||
    (target as HTMLElement).isContentEditable
  );
}

/** Step `nav` for a slice key (`,` `.` `<` `>` Page Up/Down) pressed outside form fields; true when it did. */
function stepNav(e: KeyboardEvent<HTMLElement>, nav: SliceNav | undefined): boolean {
  const step = NAV_STEPS[e.key];
  if (!nav || !step || e.ctrlKey || e.metaKey || e.altKey || inFormField(e.target)) return false;
  e.preventDefault();
  if (nav.step) {
    nav.step(step);
    return true;
  }
  const i = Math.max(0, Math.min(nav.count - 1, nav.index + step));
  if (i !== nav.index) nav.onChange(i);
  return true;
}

function LoadingStatus() {
  return (
    <span className="muted" role="status">
      Loading…
    </span>
  );
}

export function ViewerFrame({
  name,
  rootProps,
  onKeyDown,
  toolbar,
  controls,
  loading,
  notes,
  problem,
  waiting,
  nav,
  navTestId,
  outputNav,
  children,
}: ViewerFrameProps) {
  const hasToolbar = toolbar !== undefined || controls !== undefined;
  const shownNotes = (notes ?? []).filter((n): n is string => !!n);
  return (
    <div
      className={`viewer ${name}`}
      data-testid={name}
      {...rootProps}
      onKeyDown={(e) => {
        onKeyDown?.(e);
        if (!e.defaultPrevented) stepNav(e, nav);
      }}
    >
      {hasToolbar && (
        <div className="viewer-toolbar">
          {toolbar}
          {controls !== undefined ? (
            <div className="row wrap">
              {controls}
              {loading && <LoadingStatus />}
            </div>
          ) : (
            loading && <LoadingStatus />
          )}
        </div>
      )}
      {shownNotes.map((n) => (
        <p key={n} className="viewer-note warn-text">
          {n}
        </p>
      ))}
      {problem ? <ViewerMessage kind="error">{problem}</ViewerMessage> : waiting ? <ViewerMessage kind="loading">{waiting}</ViewerMessage> : children}
      {outputNav && <SliceSlider nav={outputNav} testId="output-slider" />}
      {nav && <SliceSlider nav={nav} testId={navTestId} />}
    </div>
  );
}
