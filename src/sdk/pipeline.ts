// The run of one execution on one runner instance: preprocess → inference → postprocess, with the
// reference's log lines and per-stage timings reported to the engine.
import type { HostApi } from '../core/protocol';
import type { BaseRunner, InputData } from './BaseRunner';

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export async function runPipeline(runner: BaseRunner, inputDatasetIds: string[], args: Record<string, unknown>, host: HostApi): Promise<unknown> {
  const inputData: InputData = { inputDatasetIds: [...inputDatasetIds], input_dataset_ids: [...inputDatasetIds] };
  const t0 = performance.now();
  await host.log('INFO', 'Starting execution.');
  await host.stage('running');

  let t = performance.now();
  const pre = await runner.preprocess(inputData, args);
  let dt = performance.now() - t;
  await host.stage('preprocess', dt);
  await host.log('INFO', `Data preprocessing finished in ${seconds(dt)} seconds`);

  await host.log('INFO', 'Running inference.');
  t = performance.now();
  const inf = await runner.inference(pre, args);
  dt = performance.now() - t;
  await host.stage('inference', dt);
  await host.log('INFO', `Inference finished in ${seconds(dt)} seconds`);

  await host.log('INFO', 'Postprocessing output data.');
  t = performance.now();
  const ids = await runner.postprocess(inf, args);
  dt = performance.now() - t;
  await host.stage('postprocess', dt);
  await host.log('INFO', `Postprocessing finished in ${seconds(dt)} seconds`);
  await host.log('INFO', `Execution completed in ${seconds(performance.now() - t0)} seconds.`);
  return ids;
}
