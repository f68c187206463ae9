// Installed BEAT blocks and the user data formats they use: install a block (declaration checked,
// module checked, the user formats it uses copied into it), list and get blocks; install, list and
// remove formats of the library.
import { checkDeclaration, checkUserFormats, DataFormatRegistry, declarationFormats, parseDeclaration, fieldTypeLabel, userFormatClosure } from '../core/beat';
import type { AlgorithmDeclaration, DataFormat, DataFormatDeclaration, FormatSet } from '../core/beat';
import type { BlockRecord } from '../core/toolchainRecords';
import type { Store } from '../store/index';
import { blockModuleProblem } from './blockModuleCheck';
import { thrownMessage } from '../core/describeValue';

export interface BlockInfo {
  id: string;
  name: string;
  origin: 'builtin' | 'user';
  installed: string;
  type: AlgorithmDeclaration['type'];
  isAnalyzer: boolean;
  /** A loop algorithm: its role and declared type (e.g. `sequential_loop_processor`). */
  loop: { role: 'processor' | 'evaluator'; declaredType: string } | null;
  splittable: boolean;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  parameters: string[];
  description: string | null;
}

/** A user data format of the library (`algobox.blocks.formats.list()`). */
export interface DataFormatInfo {
  name: string;
  declaration: DataFormatDeclaration;
  description: string | null;
  /** The format it `#extends`, if any. */
  extends: string | null;
  /** Its fields as compiled (inherited ones included), types in words (`int32`, `[0, 2] float64`, `user/point/1`). */
  fields: { name: string; type: string }[];
  /** Why it does not compile any more (a format it refers to was removed), else null. */
  problem: string | null;
  installed: string;
  /** Installed blocks that carry it. */
  usedBy: string[];
}

export interface BlockInstallOptions {
  /** User data formats the block uses, installed into the library with it (`{ "<user>/<name>/<version>": declaration }`). */
  formats?: Record<string, unknown>;
  /** Default: a name derived from a hash of the declaration and the source (`block-xxxxxxxx`). */
  name?: string;
  /** First-party block (the app's built-ins). */
  builtin?: boolean;
}

function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function blockInfo(rec: BlockRecord): BlockInfo {
  const d = parseDeclaration(rec.declaration);
  return {
    id: rec.id,
    name: rec.name,
    origin: rec.origin,
    installed: rec.installed,
    type: d.type,
    isAnalyzer: d.isAnalyzer,
    loop: d.loop ? { role: d.loop.role, declaredType: d.loop.declaredType } : null,
    splittable: d.splittable,
    inputs: { ...d.inputMap },
    outputs: { ...d.outputMap },
    parameters: d.parameters.map((p) => p.name),
    description: d.description,
  };
}

const now = (): string => new Date().toISOString();

export class BlockCatalogue {
  constructor(private readonly store: Store) {}

  async installBlock(declaration: unknown, moduleSource: string, opts: BlockInstallOptions = {}): Promise<BlockInfo> {
    const structure = checkDeclaration(declaration);
    if (!structure.declaration) throw new Error(`Invalid block declaration: ${structure.errors.join('; ')}`);
    if (typeof moduleSource !== 'string' || !moduleSource.trim())
      throw new Error('blocks.install: moduleSource must be the JS module text exporting the algorithm class.');
    // Formats given with the block go to the library first; the block then carries what it uses.
    if (opts.formats !== undefined) await this.installFormats(opts.formats);
    const library = await this.formatLibrary();
    const { declaration: d, errors } = checkDeclaration(declaration, { dataFormats: new DataFormatRegistry(library) });
    if (!d) {
      const hint = errors.some((e) => e.includes('unknown data format'))
        ? ' (install the data format first: algobox.blocks.formats.install, or give it with the block: { formats })'
        : '';
      throw new Error(`Invalid block declaration: ${errors.join('; ')}${hint}`);
    }
    const carried = userFormatClosure(declarationFormats(d), library);
    const name = opts.name ?? `block-${fnv(JSON.stringify(declaration) + moduleSource)}`;
    if (!/^[\w./-]+$/.test(name)) throw new Error(`blocks.install: invalid block name '${name}' (letters, digits, _ . / -)`);
    const moduleProblem = await blockModuleProblem(moduleSource, name);
    if (moduleProblem) throw new Error(`blocks.install: ${moduleProblem}.`);
    const rec: BlockRecord = {
      id: name,
      name,
      declaration: structuredClone(declaration) as Record<string, unknown>,
      moduleSource,
      origin: opts.builtin ? 'builtin' : 'user',
      installed: now(),
      ...(Object.keys(carried).length ? { dataFormats: structuredClone(carried) } : {}),
    };
    await this.store.putBlock(rec);
    return blockInfo(rec);
  }

  // ------------------------------------------------------------------ user data formats

  async formatLibrary(): Promise<FormatSet> {
    return Object.fromEntries((await this.store.listDataFormats()).map((r) => [r.name, r.declaration]));
  }

  /**
   * Install user data formats (`{ "<user>/<name>/<version>": declaration, … }`) into the library, all or
   * none: every problem is named (format, field, value, what was expected). Installing a name again
   * replaces it in the library; blocks already installed keep their copies.
   */
  async installFormats(formats: unknown): Promise<DataFormatInfo[]> {
    const library = await this.formatLibrary();
    const problems = checkUserFormats(formats, library);
    if (problems.length) throw new Error(`Invalid data formats: ${problems.join('; ')}`);
    const t = now();
    const names = Object.keys(formats as object);
    await this.store.putDataFormats(names.map((name) => ({ name, declaration: structuredClone((formats as FormatSet)[name]!), installed: t })));
    return (await this.listFormats()).filter((f) => names.includes(f.name));
  }

  /** The library's user formats, each with its fields (as compiled, inherited ones included) and the installed blocks carrying it. */
  async listFormats(): Promise<DataFormatInfo[]> {
    const recs = await this.store.listDataFormats();
    const blocks = await this.store.listBlocks();
    const registry = new DataFormatRegistry(Object.fromEntries(recs.map((r) => [r.name, r.declaration])));
    return recs.map((r) => {
      let fields: DataFormatInfo['fields'] = [];
      let problem: string | null = null;
      let format: DataFormat | null = null;
      try {
        format = registry.get(r.name);
        fields = format.root.fields.map((f) => ({ name: f.name, type: fieldTypeLabel(f.type) }));
      } catch (e) {
        problem = thrownMessage(e);
      }
      return {
        name: r.name,
        declaration: structuredClone(r.declaration),
        description: format?.description ?? null,
        extends: format?.extends ?? null,
        fields,
        problem,
        installed: r.installed,
        usedBy: blocks.filter((b) => b.dataFormats && Object.hasOwn(b.dataFormats, r.name)).map((b) => b.id),
      };
    });
  }

  /** Remove a format from the library (blocks that use it keep their copy and still run). */
  async removeFormat(name: string): Promise<void> {
    await this.store.deleteDataFormat(name);
  }

  async listBlocks(): Promise<BlockInfo[]> {
    return (await this.store.listBlocks()).map(blockInfo);
  }

  async getBlock(id: string): Promise<BlockInfo> {
    const rec = await this.store.getBlock(id);
    if (!rec) throw new Error(`Block '${id}' not found.`);
    return blockInfo(rec);
  }
}
