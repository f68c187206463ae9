// Saved toolchains (issue 15): a toolchain the user bound to their data and set up on the toolchain
// page, saved under a name in the store, listed, re-run and deleted. A save is checked first — the
// toolchain as `check` checks it, and every stack and dataset its sources name must exist — so nothing
// unusable is stored.
import type { SavedToolchainRecord } from '../core/toolchainRecords';
import type { ToolchainJson } from '../core/beat';
import type { Store } from '../store/index';

/** What `toolchains.saved.save` takes: a new toolchain, or (with `id`) a new version of a saved one. */
export interface SaveToolchainInput {
  /** Replace this saved toolchain (keeps its id and creation time). */
  id?: string;
  name: string;
  toolchain: unknown;
  /** The built-in toolchain it was made from. */
  from?: string | null;
}

const now = (): string => new Date().toISOString();

export class SavedToolchains {
  constructor(
    private readonly store: Store,
    /** Rejects naming every problem of the toolchain (ToolchainService.check). */
    private readonly check: (toolchain: unknown) => Promise<unknown>,
  ) {}

  /** Every stack and dataset the sources name exists (else the source and the missing id are named). */
  private async checkSources(t: ToolchainJson): Promise<void> {
    const problems: string[] = [];
    for (const [k, s] of t.sources.entries()) {
      if (s.stackId !== undefined && !(await this.store.getStack(s.stackId))) problems.push(`sources[${k}] '${s.name}': stack '${s.stackId}' not found`);
      for (const id of s.datasetIds ?? []) {
        if (!(await this.store.getDatasetMeta(id))) problems.push(`sources[${k}] '${s.name}': dataset '${id}' not found`);
      }
    }
    if (problems.length) throw new Error(`The toolchain cannot be saved: ${problems.join('; ')}.`);
  }

  async save(input: SaveToolchainInput): Promise<SavedToolchainRecord> {
    const name = typeof input?.name === 'string' ? input.name.trim() : '';
    if (!name) throw new Error(`Saved toolchain: name: expected a non-empty name, got ${JSON.stringify(input?.name ?? null)}.`);
    await this.check(input.toolchain);
    const toolchain = structuredClone(input.toolchain) as ToolchainJson;
    await this.checkSources(toolchain);
    const old = input.id !== undefined ? await this.get(input.id) : null;
    const time = now();
    const rec: SavedToolchainRecord = {
      id: old?.id ?? crypto.randomUUID(),
      name,
      toolchain,
      from: input.from ?? old?.from ?? null,
      created: old?.created ?? time,
      updated: time,
    };
    await this.store.putSavedToolchain(rec);
    return rec;
  }

  /** Last saved first. */
  list(): Promise<SavedToolchainRecord[]> {
    return this.store.listSavedToolchains();
  }

  async get(id: string): Promise<SavedToolchainRecord> {
    const rec = await this.store.getSavedToolchain(id);
    if (!rec) throw new Error(`Saved toolchain '${id}' not found.`);
    return rec;
  }

  /** Its runs (and the datasets they stored) are kept. */
  delete(id: string): Promise<void> {
    return this.store.deleteSavedToolchain(id);
  }
}
