// Installing a bundle from anywhere in the app (the install dialog, the ?bundle= prompt, the global
// drop zone): install through the API, refresh the catalog, select the new algorithm, and tell the
// user. Outcomes are announced as a DOM event that <InstallNotices> (mounted once, inside
// BundleUrlPrompt) shows as a toast — an event rather than shared mutable state.
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { BundleSource } from '../../api';
import type { AlgorithmInfo } from '../../core/records';
import { useApi } from '../apiContext';
import { keys } from '../state/queries';
import { useSelection } from '../state/selection';
import { thrownMessage } from '../../core/describeValue';

export type InstallSource = File | File[] | string | Record<string, Blob | string>;

export type InstallNotice = { kind: 'installed'; name: string; version: string; warnings: string[] } | { kind: 'error'; source: string; message: string };

export const INSTALL_NOTICE_EVENT = 'algobox:install-notice';

export function announceInstall(notice: InstallNotice): void {
  window.dispatchEvent(new CustomEvent<InstallNotice>(INSTALL_NOTICE_EVENT, { detail: notice }));
}

/** A short name for where a bundle comes from, for messages ("invert.zip", "folder my_alg", a URL). */
export function describeSource(source: InstallSource): string {
  if (typeof source === 'string') return source;
  if (Array.isArray(source)) {
    const first = source[0] as (File & { webkitRelativePath?: string }) | undefined;
    const top = first?.webkitRelativePath?.split('/')[0];
    return top ? `folder ${top}` : `${source.length} files`;
  }
  if (typeof File !== 'undefined' && source instanceof File) return source.name;
  return 'the bundle files';
}

export interface InstallOptions {
  /**
   * Show the outcome as a toast (default true). The install dialog and the ?bundle= prompt show
   * outcomes themselves and turn this off; the error is thrown either way.
   */
  notify?: boolean;
}

/**
 * `install(source, { sha256? })` → the installed algorithm. Refreshes the algorithms query, selects
 * the new algorithm, and (unless `notify: false`) announces success or the error; rejects with the
 * API's error (whose message names the offending manifest field, or gives both hashes when the bundle
 * is not the pinned one).
 */
export function useInstallBundle(opts: InstallOptions = {}): (source: InstallSource, pin?: { sha256?: string }) => Promise<AlgorithmInfo> {
  const api = useApi();
  const qc = useQueryClient();
  const { setAlgorithmId } = useSelection();
  const notify = opts.notify ?? true;
  return useCallback(
    async (source: InstallSource, pin?: { sha256?: string }) => {
      let info: AlgorithmInfo;
      try {
        info = await api.algorithms.install(source as BundleSource, pin?.sha256 ? { sha256: pin.sha256 } : {});
      } catch (e) {
        const message = thrownMessage(e);
        if (notify) announceInstall({ kind: 'error', source: describeSource(source), message });
        throw e instanceof Error ? e : new Error(message);
      }
      await qc.invalidateQueries({ queryKey: keys.algorithms });
      setAlgorithmId(info.id);
      if (notify) announceInstall({ kind: 'installed', name: info.name, version: info.version, warnings: info.warnings });
      return info;
    },
    [api, qc, setAlgorithmId, notify],
  );
}
