// Self-tests of the selected algorithm (bioimage.io style): one button per supported device, the last
// result per device with the worst element of a failing output, and a note when gpu runs fall back to
// cpu because gpu failed while cpu passed.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AlgorithmInfo } from '../../core/records';
import type { SelfTestReport } from '../../api';
import { useApi } from '../apiContext';
import { invalidateData, keys, useGpu } from '../state/queries';
import { useTrustGate } from './TrustDialog';
import { thrownMessage } from '../../core/describeValue';

const selfTestKey = (id: string) => ['selftest', id] as const;

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function ResultLine({ r }: { r: SelfTestReport }) {
  const fell = r.requestedDevice !== r.device ? ` (asked for ${r.requestedDevice}; WebGPU unavailable)` : '';
  return (
    <span className={r.passed ? 'ok-text' : 'error-text'}>
      {r.passed ? '✓' : '✗'} {r.summary}
      {fell} · {seconds(r.durationMs)} · {new Date(r.time).toLocaleString()}
    </span>
  );
}

export function SelfTestPanel({ alg }: { alg: AlgorithmInfo }) {
  const api = useApi();
  const qc = useQueryClient();
  const gpu = useGpu();
  const results = useQuery({ queryKey: selfTestKey(alg.id), queryFn: () => api.algorithms.selfTestResults(alg.id) });
  const run = useMutation({
    mutationFn: (device: 'cpu' | 'gpu') => api.algorithms.selfTest(alg.id, device),
    onSettled: async () => {
      await qc.invalidateQueries({ queryKey: selfTestKey(alg.id) });
      await qc.invalidateQueries({ queryKey: keys.executions });
      await invalidateData(qc);
    },
  });
  // A self-test runs the bundle's code: a third-party bundle asks first, as Run does.
  const { ensureTrusted, dialog } = useTrustGate(alg);
  if (!alg.selfTests?.length) return null;
  const devices = (['cpu', 'gpu'] as const).filter((d) => alg.supportedDevices.includes(d));
  const r = results.data ?? {};
  const fallback = r.gpu && !r.gpu.passed && r.gpu.device === 'gpu' && r.cpu?.passed;
  return (
    <section className="alg-selftest" data-testid="selftest" aria-label="Self-test">
      {dialog}
      <h4>
        Self-test{' '}
        <span className="muted">
          ({alg.selfTests.length} declared: {alg.selfTests.join(', ')})
        </span>
      </h4>
      <ul className="plain">
        {devices.map((d) => {
          const noGpu = d === 'gpu' && gpu.data && !gpu.data.available;
          return (
            <li key={d} className="selftest-row">
              <button
                type="button"
                data-testid={`selftest-run-${d}`}
                disabled={run.isPending}
                title={noGpu ? `WebGPU is not available here (${gpu.data?.reason ?? 'no adapter'}): the test would run on cpu.` : `Run the self-tests on ${d}`}
                onClick={() =>
                  void ensureTrusted('Trust and test').then(
                    (ok) => ok && run.mutate(d),
                    () => undefined,
                  )
                }
              >
                {run.isPending && run.variables === d ? `Testing on ${d}…` : `Test on ${d}`}
              </button>{' '}
              <span data-testid={`selftest-result-${d}`}>{r[d] ? <ResultLine r={r[d]} /> : <span className="muted">not run yet</span>}</span>
            </li>
          );
        })}
      </ul>
      {run.isError && <p className="error-text">{thrownMessage(run.error)}</p>}
      {fallback && (
        <p className="warn-text" data-testid="selftest-fallback">
          gpu failed its self-test while cpu passed: runs asking for gpu use cpu (with a warning in their log).
        </p>
      )}
    </section>
  );
}
