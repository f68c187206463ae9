// "Run again" for a finished run: selects its algorithm (by id), puts its inputs (the stack when one
// holds exactly those datasets in that order, else the datasets in order) and its arguments in the
// run form, to edit before pressing Run. Nothing runs by itself. A removed algorithm is said so.
import type { ExecutionRecord } from '../../core/records';
import { useAlgorithms, useStacks } from '../state/queries';
import { useSelection, type RunInputs } from '../state/selection';
import type { StackRecord } from '../../core/stacks';

/** The run form's inputs for a previous run's dataset ids. */
function inputsOfRun(ids: readonly string[], stacks: readonly StackRecord[]): RunInputs {
  const same = stacks.find((s) => s.datasetIds.length === ids.length && s.datasetIds.every((id, i) => id === ids[i]));
  return same ? { kind: 'stack', id: same.id } : { kind: 'datasets', ids: [...ids] };
}

export function RunAgainButton({ rec }: { rec: ExecutionRecord }) {
  const algorithms = useAlgorithms();
  const stacks = useStacks();
  const { fillRunForm } = useSelection();
  const installed = algorithms.data?.some((a) => a.id === rec.algorithmId) ?? false;
  const removed = algorithms.isSuccess && !installed;
  return (
    <>
      <button
        className="small"
        disabled={!installed}
        onClick={() => fillRunForm(rec.algorithmId, inputsOfRun(rec.inputDatasetIds, stacks.data ?? []), rec.args)}
        title={
          removed
            ? `${rec.algorithmName} ${rec.algorithmVersion} is no longer installed`
            : 'Select this algorithm with the same inputs and arguments in the run form, to change them and press Run'
        }
        data-testid="run-again"
      >
        Run again
      </button>
      {removed && (
        <p className="muted run-small run-again-note" data-testid="run-again-removed">
          {rec.algorithmName} {rec.algorithmVersion} is no longer installed, so this run cannot be run again.
        </p>
      )}
    </>
  );
}
