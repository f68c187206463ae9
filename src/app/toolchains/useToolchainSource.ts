// The toolchain on screen — a built-in's, or the custom JSON (with its parse error) — and its check
// (`algobox.toolchains.check`: the diagram and forms are drawn from it).
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { BuiltinToolchainInfo } from '../../api';
import type { ToolchainJson } from '../../core/beat';
import { useApi } from '../apiContext';
import { CUSTOM } from './ToolchainChooser';
import { toolchainKeys } from './runState';
import { thrownMessage } from '../../core/describeValue';

export function useToolchainSource(selected: string, builtin: BuiltinToolchainInfo | null, customText: string) {
  const api = useApi();
  const base = useMemo((): { toolchain: ToolchainJson | null; problem: string | null } => {
    if (selected !== CUSTOM) return builtin ? { toolchain: builtin.toolchain, problem: builtin.problem } : { toolchain: null, problem: null };
    try {
      return { toolchain: JSON.parse(customText) as ToolchainJson, problem: null };
    } catch (e) {
      return { toolchain: null, problem: `The JSON does not parse: ${thrownMessage(e)}` };
    }
  }, [selected, builtin, customText]);
  const baseKey = base.toolchain ? JSON.stringify(base.toolchain) : '';
  const check = useQuery({
    queryKey: toolchainKeys.check(baseKey),
    queryFn: () => api.toolchains.check(base.toolchain),
    enabled: !!base.toolchain,
    retry: false,
  });
  return { base, check };
}
