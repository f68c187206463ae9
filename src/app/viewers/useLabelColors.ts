// The label colours of a stored label field (ImageAxes.labels: a colour table and single labels' own
// colours), editable: edits show at once and are saved with the dataset (datasets.setAxes, debounced) so
// that they survive a reload and the indexed PNG export uses them. Without a stored source (a mask not
// yet saved) the edits stay in the view.
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LabelColors } from '../../core/imageAxes';
import { useApi } from '../apiContext';
import { keys, useDatasets } from '../state/queries';
import { errorText } from './controls';
import { fieldAxes } from './render/hyperstack';
import { DEFAULT_LABEL_COLORS } from './render/labelTables';

const SAVE_DELAY_MS = 300;

/** The dataset and field whose label colours are shown and edited. */
export interface LabelSource {
  datasetId: string;
  key: string;
}

export interface LabelColorsState {
  colors: LabelColors;
  set(next: LabelColors): void;
  /** Why the last save failed, or null. */
  saveError: string | null;
  /** Edits are saved with a dataset. */
  saved: boolean;
}

export function useLabelColors(source: LabelSource | null | undefined): LabelColorsState {
  const api = useApi();
  const qc = useQueryClient();
  const list = useDatasets();
  const meta = source ? list.data?.find((d) => d.id === source.datasetId) : undefined;
  const field = source && meta ? meta.keys[source.key] : undefined;
  const stored = field?.axes?.labels ?? null;
  const [edited, setEdited] = useState<{ at: string; colors: LabelColors } | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const at = source ? `${source.datasetId}/${source.key}` : '';
  const pending = useRef<{ timer: number; save: (() => void) | null }>({ timer: 0, save: null });

  const set = useCallback(
    (next: LabelColors) => {
      setEdited({ at, colors: next });
      if (!source || !field) return;
      const p = pending.current;
      clearTimeout(p.timer);
      p.save = () => {
        p.save = null;
        api.datasets.setAxes(source.datasetId, source.key, { ...fieldAxes(source.key, field), labels: next }).then(
          () => {
            setSaveError(null);
            void qc.invalidateQueries({ queryKey: keys.datasets });
          },
          (e: unknown) => setSaveError(errorText(e)),
        );
      };
      p.timer = window.setTimeout(() => p.save?.(), SAVE_DELAY_MS);
    },
    [api, qc, source, field, at],
  );
  // Leaving the view (or another dataset) saves what is pending at once.
  useEffect(
    () => () => {
      clearTimeout(pending.current.timer);
      pending.current.save?.();
    },
    [at],
  );
  const colors = edited && edited.at === at ? edited.colors : (stored ?? DEFAULT_LABEL_COLORS);
  return { colors, set, saveError, saved: !!field };
}
