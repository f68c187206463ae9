// The channels of a composite as the user set them (colour, window, visibility) and which one is shown
// alone (solo, not saved). Edits are saved with the dataset (datasets.setAxes, debounced) so that they
// survive a reload; an array without a 'c' axis has one gray channel, not saved.
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { defaultChannels, type Channel, type ImageAxes } from '../../core/imageAxes';
import { useApi } from '../apiContext';
import { keys } from '../state/queries';
import { errorText } from './controls';
import { channelDim } from './render/hyperstack';

/** Edits are saved this long after the last one. */
const SAVE_DELAY_MS = 400;

export interface Channels {
  channels: Channel[];
  /** The channel shown alone, or null. */
  solo: number | null;
  /** The channels drawn: the solo one, else the active ones. */
  visible: number[];
  update(c: number, patch: Partial<Channel>): void;
  toggleSolo(c: number): void;
  /** Why the last save failed, or null. */
  saveError: string | null;
}

export function useChannels(datasetId: string, key: string, axes: ImageAxes): Channels {
  const api = useApi();
  const qc = useQueryClient();
  const saved = channelDim(axes) >= 0;
  const [channels, setChannels] = useState<Channel[]>(() => (saved ? axes.channels.map((c) => ({ ...c })) : defaultChannels(1, [key])));
  const [solo, setSolo] = useState<number | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const pending = useRef<{ timer: number; save: (() => void) | null }>({ timer: 0, save: null });

  const schedule = useCallback(
    (next: Channel[]) => {
      if (!saved) return;
      const p = pending.current;
      clearTimeout(p.timer);
      p.save = () => {
        p.save = null;
        api.datasets.setAxes(datasetId, key, { axes: axes.axes, channels: next }).then(
          () => {
            setSaveError(null);
            void qc.invalidateQueries({ queryKey: keys.datasets });
          },
          (e: unknown) => setSaveError(errorText(e)),
        );
      };
      p.timer = window.setTimeout(() => p.save?.(), SAVE_DELAY_MS);
    },
    [api, qc, datasetId, key, axes, saved],
  );
  // Leaving the view saves what is pending at once.
  useEffect(
    () => () => {
      clearTimeout(pending.current.timer);
      pending.current.save?.();
    },
    [],
  );

  // The latest channels, so that an edit builds on the one before it within the same event.
  const latest = useRef(channels);
  const update = useCallback(
    (c: number, patch: Partial<Channel>) => {
      const next = latest.current.map((ch, i) => (i === c ? { ...ch, ...patch } : ch));
      latest.current = next;
      setChannels(next);
      schedule(next);
    },
    [schedule],
  );
  const toggleSolo = useCallback((c: number) => setSolo((s) => (s === c ? null : c)), []);
  const visible = solo !== null && solo < channels.length ? [solo] : channels.flatMap((ch, i) => (ch.active ? [i] : []));
  return { channels, solo, visible, update, toggleSolo, saveError };
}
