// Runner blocks (Compox algorithms) on the toolchain page: their algorithms (for the parameter form
// and the trust question), one algorithm-panel form per runner block, and the parameter values of
// every block (BEAT blocks' edits and runners' arguments) with their problems.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { ToolchainCheck } from '../../api';
import { useApi } from '../apiContext';
import type { Drafts } from '../algorithms/paramValues';
import type { ParamFormProps } from '../algorithms/ParamForm';
import { resolveParameters, type ParameterEdits } from './BlockParameters';
import { runnerArgs, runnerDrafts } from './runnerArgs';

export function useRunnerForms(blocks: ToolchainCheck['blocks'] | undefined, edits: ParameterEdits) {
  const api = useApi();
  const [drafts, setDrafts] = useState<Record<string, Drafts>>({});
  const beatParams = blocks ? resolveParameters(blocks, edits) : { values: {}, errors: [] };
  const runnerIds = [...new Set((blocks ?? []).flatMap((b) => (b.runner ? [b.runner.id] : [])))].sort();
  const runnerAlgs = useQuery({
    queryKey: ['toolchainRunnerAlgs', ...runnerIds],
    queryFn: () => Promise.all(runnerIds.map((id) => api.algorithms.get(id))),
    enabled: runnerIds.length > 0,
  });
  const runnerForms: Record<string, ParamFormProps | undefined> = {};
  const params = { values: { ...beatParams.values } as Record<string, Record<string, unknown>>, errors: [...beatParams.errors] };
  for (const b of blocks ?? []) {
    const alg = b.runner ? runnerAlgs.data?.find((a) => a.id === b.runner!.id) : undefined;
    if (!alg) continue;
    const blockDrafts = drafts[b.name] ?? runnerDrafts(alg.additionalParameters, b.values);
    const r = runnerArgs(b.name, alg.additionalParameters, blockDrafts);
    params.values[b.name] = r.args;
    params.errors.push(...r.problems);
    runnerForms[b.name] = {
      params: alg.additionalParameters,
      drafts: blockDrafts,
      errors: r.errors,
      onChange: (name, draft) => setDrafts((cur) => ({ ...cur, [b.name]: { ...blockDrafts, [name]: draft } })),
      onResetAll: () => setDrafts((cur) => ({ ...cur, [b.name]: runnerDrafts(alg.additionalParameters, {}) })),
    };
  }
  return {
    params,
    runnerForms,
    runnerAlgs,
    runnersReady: runnerIds.length === 0 || runnerAlgs.isSuccess,
    resetDrafts: () => setDrafts({}),
  };
}
