// Self-tests of a bundle (bioimage.io style): run each [[tool.algobox.tests]] entry through the
// normal execution path on a device, compare the outputs with the expected files under the declared
// per-device tolerance, report pass/fail with the worst element, and remember the result per
// (algorithm, bundle hash, device) so runs can avoid a device that fails (see `preferredDevice`).
// Temporary input datasets and the run's outputs are removed afterwards.
import { compareWithTolerance, type ComparisonReport } from '../core/tolerance';
import { encodeItem } from '../core/datasetCodec';
import { isNDArray, type NDArray } from '../core/ndarray';
import type { AlgorithmRecord, ExecutionRecord } from '../core/records';
import type { Store } from '../store/index';
import { thrownMessage } from '../core/describeValue';

export interface SelfTestOutputReport extends ComparisonReport {
  index: number;
  field: string;
  expected: string;
}

export interface SelfTestCaseReport {
  name: string;
  passed: boolean;
  executionId: string | null;
  /** Why the case failed before any comparison (the run failed, an output is missing, …). */
  error: string | null;
  outputs: SelfTestOutputReport[];
}

export interface SelfTestReport {
  algorithmId: string;
  name: string;
  version: string;
  bundleHash: string;
  /** The device asked for. */
  requestedDevice: 'cpu' | 'gpu';
  /** The device the runs used (gpu falls back to cpu when WebGPU is unavailable). */
  device: 'cpu' | 'gpu';
  passed: boolean;
  time: string;
  durationMs: number;
  tests: SelfTestCaseReport[];
  /** One line for people: "passed 1/1 on cpu" or the first failure with its worst element. */
  summary: string;
}

/** What the self-tester needs from the engine. */
export interface SelfTestHost {
  store: Store;
  algorithmRecord(id: string): Promise<AlgorithmRecord>;
  readAlgorithmFile(id: string, path: string): Promise<Uint8Array>;
  execute(req: { algorithmId: string; inputDatasetIds: string[]; args: Record<string, unknown>; device: string }): Promise<string>;
  wait(id: string): Promise<ExecutionRecord>;
}

const settingKey = (algorithmId: string) => `selftest:${algorithmId}`;

/** Stored results: device → last report (for the algorithm's current bundle hash). */
export type SelfTestResults = Partial<Record<'cpu' | 'gpu', SelfTestReport>>;

export async function storedSelfTests(store: Store, alg: AlgorithmRecord): Promise<SelfTestResults> {
  const v = (await store.getSetting(settingKey(alg.id))) as SelfTestResults | undefined | null;
  if (!v || typeof v !== 'object') return {};
  const out: SelfTestResults = {};
  for (const d of ['cpu', 'gpu'] as const) if (v[d] && v[d].bundleHash === alg.bundleHash) out[d] = v[d];
  return out;
}

/**
 * The device a run should use given self-test results: when gpu was chosen, gpu's self-test failed
 * and cpu's passed, cpu — with the WARNING to log. Otherwise the chosen device.
 */
export function preferredDevice(chosen: 'cpu' | 'gpu', results: SelfTestResults): { device: 'cpu' | 'gpu'; warning: string | null } {
  if (chosen !== 'gpu') return { device: chosen, warning: null };
  const gpu = results.gpu;
  const cpu = results.cpu;
  if (gpu && !gpu.passed && gpu.device === 'gpu' && cpu?.passed) {
    return {
      device: 'cpu',
      warning: `This algorithm failed its self-test on gpu (${gpu.summary}) and passed it on cpu, so it runs on cpu. Run the self-test again to re-check gpu.`,
    };
  }
  return { device: chosen, warning: null };
}

/** The image codecs, loaded by the first self-test (they are not part of the app's first screen). */
type Codecs = typeof import('../core/imageCodecs/index');

function decodeExpected(codecs: Codecs, bytes: Uint8Array, path: string): NDArray {
  if (/\.npy$/i.test(path)) return codecs.decodeNpyArray(bytes, path);
  const pages = codecs.decodeImageBytes(bytes, path);
  if (pages.length !== 1) throw new Error(`${path}: expected one image, the file has ${pages.length} pages.`);
  return pages[0]!.image;
}

export async function runSelfTest(host: SelfTestHost, algorithmId: string, device: unknown): Promise<SelfTestReport> {
  if (device !== 'cpu' && device !== 'gpu') throw new Error(`selfTest: device must be "cpu" or "gpu", got ${JSON.stringify(device)}.`);
  const alg = await host.algorithmRecord(algorithmId);
  const tests = alg.manifest.tests ?? [];
  if (!tests.length) throw new Error(`${alg.name} ${alg.version} declares no self-tests ([[tool.algobox.tests]] in its pyproject.toml).`);
  const codecs: Codecs = await import('../core/imageCodecs/index');
  const t0 = performance.now();
  const cases: SelfTestCaseReport[] = [];
  let ranOn: 'cpu' | 'gpu' = device;
  for (const t of tests) {
    const made: string[] = [];
    let outputs: string[] = [];
    const report: SelfTestCaseReport = { name: t.name, passed: false, executionId: null, error: null, outputs: [] };
    try {
      const items = [];
      for (const path of t.inputs) {
        const pages = codecs.decodeImageBytes(await host.readAlgorithmFile(alg.id, path), path);
        if (pages.length !== 1) throw new Error(`${path}: a self-test input must be one image; the file has ${pages.length} pages.`);
        items.push({
          fields: encodeItem({ image: pages[0]!.image }),
          name: `self-test input ${path}`,
          source: `selftest:${alg.id}`,
          schema: 'Image',
          extra: { selfTest: alg.name, file: path },
        });
      }
      made.push(...(await host.store.putDatasets(items)));
      const execId = await host.execute({ algorithmId: alg.id, inputDatasetIds: made, args: { ...t.parameters }, device });
      report.executionId = execId;
      const rec = await host.wait(execId);
      if (rec.device === 'cpu' || rec.device === 'gpu') ranOn = rec.device;
      outputs = [...rec.outputDatasetIds];
      if (rec.status !== 'COMPLETED') throw new Error(`the run ${rec.status}: ${rec.error?.message ?? 'no message'}`);
      for (const o of t.outputs) {
        const id = outputs[o.index];
        if (!id) throw new Error(`the run returned ${outputs.length} output(s); output ${o.index} is missing.`);
        const ds = await host.store.getDataset(id, [o.field]);
        const actual = ds?.fields[o.field];
        if (!isNDArray(actual)) throw new Error(`output ${o.index} has no array field '${o.field}'.`);
        const expected = decodeExpected(codecs, await host.readAlgorithmFile(alg.id, o.expected), o.expected);
        const cmp = compareWithTolerance(actual, expected, o.tolerance[ranOn]);
        report.outputs.push({ ...cmp, index: o.index, field: o.field, expected: o.expected });
      }
      report.passed = report.outputs.every((r) => r.passed);
    } catch (e) {
      report.error = thrownMessage(e);
      report.passed = false;
    } finally {
      const cleanup = [...made, ...outputs];
      if (cleanup.length) {
        const missing = await host.store.missingDatasets(cleanup);
        await host.store.deleteDatasets(cleanup.filter((x) => !missing.includes(x)));
      }
    }
    cases.push(report);
  }
  const passed = cases.every((c) => c.passed);
  const firstBad = cases.find((c) => !c.passed);
  const badOut = firstBad?.outputs.find((o) => !o.passed);
  const summary = passed
    ? `passed ${cases.length}/${cases.length} on ${ranOn}`
    : `failed "${firstBad!.name}" on ${ranOn}: ${firstBad!.error ?? `output ${badOut!.index} '${badOut!.field}': ${badOut!.message}`}`;
  const result: SelfTestReport = {
    algorithmId: alg.id,
    name: alg.name,
    version: alg.version,
    bundleHash: alg.bundleHash,
    requestedDevice: device,
    device: ranOn,
    passed,
    time: new Date().toISOString(),
    durationMs: Math.round(performance.now() - t0),
    tests: cases,
    summary,
  };
  const stored = await storedSelfTests(host.store, alg);
  stored[ranOn] = result;
  await host.store.setSetting(settingKey(alg.id), stored);
  return result;
}
