// The toolchain on screen — a built-in's, a saved one's, or the custom JSON (with its parse error) —,
// the same with the sources bound on the page, and its check (`algobox.toolchains.check`: the diagram
// and forms are drawn from it).
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { BuiltinToolchainInfo, SavedToolchainRecord } from '../../api';
import type { ToolchainJson } from '../../core/beat';
import { useApi } from '../apiContext';
import { applyBindings, type PickedBinding } from './bindings';
import { CUSTOM, savedIdOf } from './ToolchainChooser';
import { toolchainKeys } from './runState';
import { thrownMessage } from '../../core/describeValue';

interface Base {
  toolchain: ToolchainJson | null;
  problem: string | null;
}

function baseOf(selected: string, builtin: BuiltinToolchainInfo | null, saved: readonly SavedToolchainRecord[] | undefined, customText: string): Base {
  if (selected === CUSTOM) {
    try {
      return { toolchain: JSON.parse(customText) as ToolchainJson, problem: null };
    } catch (e) {
      return { toolchain: null, problem: `The JSON does not parse: ${thrownMessage(e)}` };
    }
  }
  const savedId = savedIdOf(selected);
  if (savedId !== null) {
    const rec = saved?.find((s) => s.id === savedId);
    if (rec) return { toolchain: rec.toolchain, problem: null };
    return { toolchain: null, problem: saved ? `Saved toolchain '${savedId}' not found (deleted?).` : null };
  }
  return builtin ? { toolchain: builtin.toolchain, problem: builtin.problem } : { toolchain: null, problem: null };
}

export function useToolchainSource(
  selected: string,
  builtin: BuiltinToolchainInfo | null,
  saved: readonly SavedToolchainRecord[] | undefined,
  customText: string,
  picked: Readonly<Record<string, PickedBinding>>,
) {
  const api = useApi();
  const base = useMemo(() => baseOf(selected, builtin, saved, customText), [selected, builtin, saved, customText]);
  const bound = useMemo(() => (base.toolchain ? applyBindings(base.toolchain, picked) : null), [base, picked]);
  const boundKey = bound ? JSON.stringify(bound) : '';
  const check = useQuery({
    queryKey: toolchainKeys.check(boundKey),
    queryFn: () => api.toolchains.check(bound),
    enabled: !!bound,
    retry: false,
  });
  return { base, bound, check };
}
