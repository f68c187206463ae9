// The frame every viewer shares: toolbar (contrast controls, a row of the viewer's own controls and the
// "Loading…" status), warning notes, the body — an error, a loading message or the viewer's content —
// and the slice/pair/item slider.
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
  children?: ReactNode;
}

function LoadingStatus() {
  return (
    <span className="muted" role="status">
      Loading…
    </span>
  );
}

export function ViewerFrame({ name, rootProps, onKeyDown, toolbar, controls, loading, notes, problem, waiting, nav, navTestId, children }: ViewerFrameProps) {
  const hasToolbar = toolbar !== undefined || controls !== undefined;
  const shownNotes = (notes ?? []).filter((n): n is string => !!n);
  return (
    <div className={`viewer ${name}`} data-testid={name} {...rootProps} onKeyDown={onKeyDown}>
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
      {nav && <SliceSlider nav={nav} testId={navTestId} />}
    </div>
  );
}
