// A run's results: the viewer its algorithm type calls for, with the run's inputs beside its outputs.
// The type comes from the algorithm record, or — when the algorithm was removed — from the schema of
// the outputs (and inputs).
import { algorithmTypeInfo, typeFromSchemas } from '../../core/algorithmTypes';
import type { ExecutionRecord } from '../../core/records';
import { useDataset, useDatasets, useExecution } from '../state/queries';
import { ViewerMessage, errorText } from './controls';
import { useAlgorithm, useExecutionRecord } from './data';
import { RUN_VIEWERS } from './RunViewers';
import { MeasurementsRun, tableOutputs } from './MeasurementsRun';

function Results({ rec }: { rec: ExecutionRecord }) {
  const alg = useAlgorithm(rec.algorithmId);
  const tables = tableOutputs(rec, useDatasets().data);
  const firstOut = useDataset(alg.isError ? rec.outputDatasetIds[0] : null, []);
  const firstIn = useDataset(alg.isError ? (rec.inputDatasetIds[0] ?? null) : null, []);
  if (!rec.outputDatasetIds.length) return <ViewerMessage>This run produced no outputs.</ViewerMessage>;
  if (tables?.length) return <MeasurementsRun tables={tables} />;
  let type: string | null = alg.data?.algorithmType ?? null;
  if (alg.isError) {
    if (firstOut.isLoading || firstIn.isLoading) return <ViewerMessage kind="loading">Loading results…</ViewerMessage>;
    type = typeFromSchemas(firstOut.data?.meta.schema, firstIn.data?.meta.schema);
  }
  if (!type) return <ViewerMessage kind="loading">Loading results…</ViewerMessage>;
  const kind = algorithmTypeInfo(type)?.viewer ?? 'generic';
  const Viewer = RUN_VIEWERS[kind];
  return <Viewer rec={rec} kind={kind} />;
}

export function ExecutionView({ id }: { id: string }) {
  const live = useExecution(id);
  const q = useExecutionRecord(id);
  const rec = live ?? q.data;
  if (!rec) {
    if (q.isError) return <ViewerMessage kind="error">{errorText(q.error)}</ViewerMessage>;
    return <ViewerMessage kind="loading">Loading run…</ViewerMessage>;
  }
  return (
    <div className="viewer-view" data-testid="execution-view" data-status={rec.status}>
      <header className="viewer-header">
        <h3 className="ellipsis" data-testid="viewer-title">
          {rec.algorithmName} {rec.algorithmVersion}
        </h3>
        <span className={`chip status-${rec.status.toLowerCase()}`}>{rec.status.toLowerCase()}</span>
        <span className="muted small-text">
          {rec.inputDatasetIds.length} in → {rec.outputDatasetIds.length} out
        </span>
      </header>
      {rec.status === 'COMPLETED' ? (
        <Results rec={rec} />
      ) : rec.status === 'FAILED' ? (
        <ViewerMessage kind="error">The run failed: {rec.error?.message ?? 'no message'}</ViewerMessage>
      ) : rec.status === 'CANCELLED' ? (
        <ViewerMessage>The run was cancelled; it has no results.</ViewerMessage>
      ) : (
        <ViewerMessage kind="loading">
          Running… {Math.round(rec.progress * 100)}%
          <div className="progress" style={{ width: 200, margin: '8px auto 0' }}>
            <div style={{ width: `${Math.round(rec.progress * 100)}%` }} />
          </div>
        </ViewerMessage>
      )}
    </div>
  );
}
