// The run of one execution on one runner instance: preprocess → inference → postprocess, with the
// reference's log lines and per-stage timings reported to the engine.
import type { HostApi } from '../core/protocol';
import type { BaseRunner, InputData } from './BaseRunner';

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export async function runPipeline(runner: BaseRunner, inputDatasetIds: string[], args: Record<string, unknown>, host: HostApi): Promise<unknown> {
  const inputData: InputData = { inputDatasetIds: [...inputDatasetIds], input_dataset_ids: [...inputDatasetIds] };
  // The pipeline's own log lines and stage reports are sent in order but not waited for one by one (each
  // is a round trip to the page, 'running' an IndexedDB write there): they are awaited together at the
  // end, so a refused one still fails the run.
  const sent: Promise<unknown>[] = [];
  const send = (p: Promise<unknown>) => {
    p.catch(() => {}); // observed below, or the run has failed anyway
    sent.push(p);
  };
  const t0 = performance.now();
  send(host.log('INFO', 'Starting execution.'));
  send(host.stage('running'));

  let t = performance.now();
  const pre = await runner.preprocess(inputData, args);
  let dt = performance.now() - t;
  send(host.stage('preprocess', dt));
  send(host.log('INFO', `Data preprocessing finished in ${seconds(dt)} seconds`));

  send(host.log('INFO', 'Running inference.'));
  t = performance.now();
  const inf = await runner.inference(pre, args);
  dt = performance.now() - t;
  send(host.stage('inference', dt));
  send(host.log('INFO', `Inference finished in ${seconds(dt)} seconds`));

  send(host.log('INFO', 'Postprocessing output data.'));
  t = performance.now();
  const ids = await runner.postprocess(inf, args);
  dt = performance.now() - t;
  send(host.stage('postprocess', dt));
  send(host.log('INFO', `Postprocessing finished in ${seconds(dt)} seconds`));
  send(host.log('INFO', `Execution completed in ${seconds(performance.now() - t0)} seconds.`));
  await Promise.all(sent);
  return ids;
}
