// The engine: a thin façade over the parts of page-side orchestration — the catalogue of installed
// algorithms (catalogue.ts), executions and their records (executions.ts, with the HostApi each run
// is served in hostApi.ts and the run registry in runRegistry.ts), self-tests, click-to-segment
// prompts — around one runner pool. It never lets a failing or hanging bundle take anything else down.
import type { AlgorithmFilter } from '../core/algorithmQuery';
import type { BundleFileInfo, BundleInspection } from '../core/pinning';
import type { AlgorithmInfo, AlgorithmRecord, ExecutionRecord } from '../core/records';
import type { Store } from '../store/index';
import type { BundleSource } from './bundleSource';
import { Catalogue, type InstallOptions } from './catalogue';
import type { EngineOptions, GpuInfo } from './engineOptions';
import { Executions } from './executions';
import type { ExecuteRequest, ExecutionListener } from './liveRun';
import { RunnerPool } from './pool';
import { Previews, type PreviewAnswer, type PreviewRequest } from './previews';
import { PromptService } from './prompts';
import { runSelfTest, storedSelfTests, type SelfTestReport, type SelfTestResults } from './selfTest';

export type { EngineOptions, GpuInfo } from './engineOptions';
export type { PreviewAnswer, PreviewPlane, PreviewRequest } from './previews';
export type { InstallOptions } from './catalogue';
export { DEFAULT_THIRD_PARTY_TIMEOUT_MS, INTERRUPTED_MESSAGE, type ExecuteRequest, type ExecutionListener } from './liveRun';

export class Engine {
  readonly store: Store;
  readonly pool: RunnerPool;
  /** Click-to-segment on stored embeddings (one lazily created prompt worker). */
  readonly prompts: PromptService;
  readonly engineId: string;
  readonly catalogue: Catalogue;
  readonly executions: Executions;
  /** Live previews of one 2-D plane (algorithms declaring `[tool.algobox] preview = true`); nothing stored. */
  readonly previews: Previews;
  private readonly opts: EngineOptions;
  private gpuInfo: Promise<GpuInfo> | null = null;
  private readonly shutdownHooks: (() => void)[] = [];

  constructor(opts: EngineOptions) {
    this.opts = opts;
    this.store = opts.store;
    this.engineId = opts.engineId ?? crypto.randomUUID();
    this.pool = new RunnerPool(opts.workerFactory, opts.maxWorkers ?? 4, opts.sandboxWorkerFactory ?? null);
    this.prompts = new PromptService({
      store: opts.store,
      workerFactory: opts.promptWorkerFactory ?? null,
      ...(opts.promptTimeoutMs ? { callTimeoutMs: opts.promptTimeoutMs } : {}),
    });
    this.catalogue = new Catalogue(this.store, this.pool, opts.fetch);
    this.executions = new Executions(this.store, this.pool, opts, this.engineId, () => this.gpu());
    this.previews = new Previews(this.store, this.pool, (id) => this.algorithmRecord(id));
  }

  /** WebGPU availability, probed once. */
  gpu(): Promise<GpuInfo> {
    this.gpuInfo ??= (this.opts.gpu?.() ?? Promise.resolve({ available: false, reason: 'no WebGPU probe configured' })).catch((e: Error) => ({
      available: false,
      reason: e.message,
    }));
    return this.gpuInfo;
  }

  /**
   * Run the algorithm's self-tests ([[tool.algobox.tests]]) on a device and report pass/fail with
   * the worst element per output; the result is remembered (see storedSelfTests/preferredDevice).
   */
  selfTest(algorithmId: string, device: 'cpu' | 'gpu'): Promise<SelfTestReport> {
    return runSelfTest(
      {
        store: this.store,
        algorithmRecord: (id) => this.algorithmRecord(id),
        readAlgorithmFile: (id, path) => this.readAlgorithmFile(id, path),
        execute: (req) => this.execute(req),
        wait: (id) => this.wait(id),
      },
      algorithmId,
      device,
    );
  }

  /** The last self-test report per device for the algorithm's installed version. */
  async selfTestResults(algorithmId: string): Promise<SelfTestResults> {
    return storedSelfTests(this.store, await this.algorithmRecord(algorithmId));
  }

  shutdown(): void {
    this.pool.shutdown();
    this.prompts.shutdown();
    for (const cb of this.shutdownHooks.splice(0)) cb();
  }

  /** Run `cb` when the engine shuts down (services living beside it: the toolchain block workers). */
  onShutdown(cb: () => void): void {
    this.shutdownHooks.push(cb);
  }

  // ── the catalogue ──
  install = (source: BundleSource, opts?: InstallOptions): Promise<AlgorithmInfo> => this.catalogue.install(source, opts);
  inspectBundle = (source: BundleSource): Promise<BundleInspection> => this.catalogue.inspectBundle(source);
  algorithmFiles = (id: string): Promise<BundleFileInfo[]> => this.catalogue.algorithmFiles(id);
  trust = (id: string): Promise<void> => this.catalogue.trust(id);
  isTrusted = (id: string): Promise<boolean> => this.catalogue.isTrusted(id);
  exportBundle = (id: string): Promise<Uint8Array<ArrayBuffer>> => this.catalogue.exportBundle(id);
  listAlgorithms = (filter?: AlgorithmFilter): Promise<AlgorithmInfo[]> => this.catalogue.listAlgorithms(filter);
  getAlgorithm = (nameOrId: string, version?: string): Promise<AlgorithmInfo> => this.catalogue.getAlgorithm(nameOrId, version);
  algorithmRecord = (nameOrId: string, version?: string): Promise<AlgorithmRecord> => this.catalogue.algorithmRecord(nameOrId, version);
  removeAlgorithm = (id: string): Promise<void> => this.catalogue.removeAlgorithm(id);
  readAlgorithmFile = (id: string, path: string): Promise<Uint8Array> => this.catalogue.readAlgorithmFile(id, path);

  // ── executions ──
  /** Mark runs a closed or reloaded page left unfinished as FAILED and delete what they had posted. */
  recoverInterrupted = (): Promise<string[]> => this.executions.recoverInterrupted();
  execute = (req: ExecuteRequest): Promise<string> => this.executions.execute(req);
  getExecution = (id: string): Promise<ExecutionRecord> => this.executions.get(id);
  listExecutions = (): Promise<ExecutionRecord[]> => this.executions.list();
  wait = (id: string): Promise<ExecutionRecord> => this.executions.wait(id);
  cancel = (id: string): Promise<ExecutionRecord> => this.executions.cancel(id);
  subscribe = (id: string, cb: ExecutionListener): (() => void) => this.executions.subscribe(id, cb);

  // ── live previews ──
  preview = (req: PreviewRequest): Promise<PreviewAnswer> => this.previews.preview(req);
}
