// `npm run pack` (tools/pack): bundling, assets, bundle.lock.json, the import check, refusals, and
// that what it packs installs in the app's engine with the lock's bundle hash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { init as lexerInit, parse as parseImports } from 'es-module-lexer';
import { createAlgobox, type Algobox } from '../../src/api';
import { ndarray, type NDArray } from '../../src/core/ndarray';
import { bundleHash, sha256Hex } from '../../src/core/hash';
import { parseManifest, ManifestError } from '../../src/core/manifest';
import { parseBundleLock } from '../../src/core/bundleLock';
import { packBundle, PackError, type PackResult } from '../../tools/pack/pack';
import { main } from '../../tools/pack/cli';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';
import { manifest } from './helpers/bundles';

const ROOT = join(import.meta.dirname, '..', '..');
const BUILTINS = join(ROOT, 'public', 'bundles');
let tmp: string;
let api: Algobox;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'algobox-pack-'));
  api = createAlgobox({ dbName: `pack-${crypto.randomUUID()}`, workerFactory: inProcessWorkerFactory(), persistIntervalMs: 5 });
});
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await api.close();
});

let seq = 0;
/** A folder with these files (strings or bytes) under the temp dir. */
function folder(files: Record<string, string | Uint8Array>): string {
  const dir = join(tmp, `b${++seq}`);
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return dir;
}

const SCALE_RUNNER = `
import { Image2ImageRunner } from "algobox";
import { scaleBy } from "./lib/helpers.js";
export class Runner extends Image2ImageRunner {
  async loadAssets() {
    this.factor = (await this.fetchAsset("files/model.bin"))[0];
  }
  async inference(data) {
    this.logMessage("scaling by " + this.factor);
    return scaleBy(data, this.factor);
  }
}
`;
const HELPERS = `
import { ndarray } from "algobox";
import { multiplyEveryElementOfTheArray } from "./math.js";
export function scaleBy(a, f) {
  return ndarray("float32", a.shape, multiplyEveryElementOfTheArray(a.data, f));
}
`;
const MATH = `
export function multiplyEveryElementOfTheArray(values, factorToMultiplyWith) {
  const resultingValues = new Float32Array(values.length);
  for (let elementIndex = 0; elementIndex < values.length; elementIndex++) resultingValues[elementIndex] = values[elementIndex] * factorToMultiplyWith;
  return resultingValues;
}
`;

/** Compox's default is obfuscate = true; these folders say false unless `obfuscate`. */
function scaleFolder(extra = '', files: Record<string, string | Uint8Array> = {}, obfuscate = false): string {
  return folder({
    'pyproject.toml': manifest(obfuscate ? 'packed_scale_min' : 'packed_scale', 'Image2Image', `obfuscate = ${obfuscate}\n${extra}`),
    'Runner.js': SCALE_RUNNER,
    'lib/helpers.js': HELPERS,
    'lib/math.js': MATH,
    'files/model.bin': new Uint8Array([3, 0, 0, 0]),
    'README.md': '# packed scale\n',
    '.hidden': 'not shipped',
    'old.zip': 'not shipped',
    'bundle.lock.json': '{"stale": true}',
    'node_modules/x/index.js': 'export default 1;',
    ...files,
  });
}

const text = (u8: Uint8Array) => new TextDecoder().decode(u8);

async function specifiers(code: string): Promise<string[]> {
  await lexerInit();
  return parseImports(code)[0].map((i) => i.specifier ?? '<computed>');
}

async function packError(dir: string): Promise<PackError> {
  const e = await packBundle(dir).then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(PackError);
  return e as PackError;
}

async function installAndRun(r: PackResult, input: number[]): Promise<{ bundleHash: string; out: number[]; log: string[] }> {
  const alg = await api.algorithms.install(new Blob([r.zip as Uint8Array<ArrayBuffer>]));
  const ds = await api.datasets.put({ image: ndarray('float32', [2, 2], input) });
  const rec = await api.executions.wait(await api.execute({ algorithmId: alg.id, inputDatasetIds: [ds], args: {} }));
  if (rec.status !== 'COMPLETED') throw new Error(`${rec.status}: ${rec.error?.message}`);
  const out = (await api.datasets.get(rec.outputDatasetIds[0]!, ['image'])).fields.image as NDArray;
  return { bundleHash: alg.bundleHash, out: Array.from(out.data as Float32Array), log: rec.log.map((l) => l.message) };
}

describe('pack: bundling and the zip', () => {
  let dir: string;
  let r: PackResult;
  beforeAll(async () => {
    dir = scaleFolder();
    r = await packBundle(dir);
  });

  it('bundles Runner.js and its submodules into one ES module that keeps the "algobox" import', async () => {
    const entries = unzipSync(r.zip);
    expect(Object.keys(entries)).toEqual(['pyproject.toml', 'Runner.js', 'README.md', 'files/model.bin', 'bundle.lock.json']);
    const code = text(entries['Runner.js']!);
    expect([...new Set(await specifiers(code))]).toEqual(['algobox']);
    expect(code).toMatch(/from "algobox"/);
    expect(code).toContain('multiplyEveryElementOfTheArray');
    expect(r.modules).toEqual(['Runner.js', 'lib/helpers.js', 'lib/math.js']);
    expect(r.source).toBe('Runner.js');
    expect(r.importCheck).toBe('skipped');
    // Assets are byte-identical; the manifest too.
    expect(Array.from(entries['files/model.bin']!)).toEqual([3, 0, 0, 0]);
    expect(entries['pyproject.toml']).toEqual(new Uint8Array(readFileSync(join(dir, 'pyproject.toml'))));
  });

  it('writes a bundle.lock.json with every other file and the bundle hash', async () => {
    const entries = unzipSync(r.zip);
    const lock = parseBundleLock(entries['bundle.lock.json']!);
    expect(lock).toEqual(r.lock);
    expect(lock.name).toBe('packed_scale');
    expect(lock.version).toBe('1.0.0');
    const expected: Record<string, string> = {};
    for (const [p, b] of Object.entries(entries)) if (p !== 'bundle.lock.json') expected[p] = await sha256Hex(b);
    expect(lock.files).toEqual(expected);
    expect(Object.keys(lock.files)).toEqual(Object.keys(lock.files).sort());
    expect(lock.bundle).toBe(await bundleHash(expected));
  });

  it('the same folder packs to the same bytes', async () => {
    expect((await packBundle(dir)).zip).toEqual(r.zip);
  });

  it("installs in the app engine, runs, and has the lock's bundle hash", async () => {
    const { bundleHash: h, out, log } = await installAndRun(r, [1, 2, 3, 4]);
    expect(h).toBe(r.lock.bundle);
    expect(out).toEqual([3, 6, 9, 12]);
    expect(log).toContain('scaling by 3');
  });

  it('install refuses the zip when a file was changed after packing, naming the file and both hashes', async () => {
    const entries = unzipSync(r.zip);
    const before = await sha256Hex(entries['files/model.bin']!);
    entries['files/model.bin'] = new Uint8Array([4, 0, 0, 0]);
    const after = await sha256Hex(entries['files/model.bin']);
    const tampered = zipSync(entries);
    await expect(api.algorithms.install(new Blob([tampered as Uint8Array<ArrayBuffer>]))).rejects.toThrow(
      `files/model.bin has SHA-256 ${after}, but bundle.lock.json records ${before}: the file was changed after the bundle was packed.`,
    );
    const added = zipSync({ ...unzipSync(r.zip), 'files/extra.txt': strToU8('x') });
    await expect(api.algorithms.install(new Blob([added as Uint8Array<ArrayBuffer>]))).rejects.toThrow(
      /^files\/extra\.txt \(SHA-256 [0-9a-f]{64}\) is in the bundle but not in bundle\.lock\.json/,
    );
  });

  it('obfuscate = true minifies: smaller, local identifiers mangled, and it still runs', async () => {
    const obf = await packBundle(scaleFolder('', { 'files/model.bin': new Uint8Array([2, 0, 0, 0]) }, true));
    const plain = text(r.files.get('Runner.js')!);
    const minified = text(obf.files.get('Runner.js')!);
    expect(obf.manifest.obfuscate).toBe(true);
    expect(minified.length).toBeLessThan(plain.length * 0.8);
    for (const id of ['multiplyEveryElementOfTheArray', 'factorToMultiplyWith', 'resultingValues', 'elementIndex']) {
      expect(plain).toContain(id);
      expect(minified).not.toContain(id);
    }
    expect(minified).toMatch(/from"algobox"/);
    expect((await installAndRun(obf, [1, 2, 3, 4])).out).toEqual([2, 4, 6, 8]);
  });

  it('packs a Runner.ts (with TypeScript submodules) into Runner.js', async () => {
    const d = folder({
      'pyproject.toml': manifest('packed_ts', 'Image2Image'),
      'Runner.ts': `
import { Image2ImageRunner, ndarray, type NDArray } from "algobox";
import { addOne, type Numeric } from "./lib/add.js";
export class Runner extends Image2ImageRunner {
  private readonly label: string = "ts";
  override async inference(data: NDArray): Promise<NDArray> {
    this.logMessage(\`runner \${this.label}\`);
    return ndarray("float32", data.shape, addOne(data.data as Numeric));
  }
}
`,
      'lib/add.ts': `
export type Numeric = ArrayLike<number>;
export const addOne = (v: Numeric): Float32Array => Float32Array.from(v, (x) => x + 1);
`,
    });
    const t = await packBundle(d);
    expect(t.source).toBe('Runner.ts');
    expect([...t.files.keys()]).toEqual(['pyproject.toml', 'Runner.js', 'bundle.lock.json']);
    const code = text(t.files.get('Runner.js')!);
    expect(code).not.toMatch(/: NDArray|type Numeric|private readonly/);
    const { out, log } = await installAndRun(t, [1, 2, 3, 4]);
    expect(out).toEqual([2, 3, 4, 5]);
    expect(log).toContain('runner ts');
  });

  it('bundles npm packages installed in the folder; refuses one that is not installed, naming the import', async () => {
    const d = scaleFolder('', {
      'Runner.js': SCALE_RUNNER.replace('import { scaleBy }', 'import triple from "tiny-triple";\nimport { scaleBy }').replace(
        'this.factor)',
        'triple(this.factor) / 3)',
      ),
      'node_modules/tiny-triple/package.json': '{ "name": "tiny-triple", "version": "1.0.0", "main": "index.js" }',
      'node_modules/tiny-triple/index.js': 'module.exports = function triple(x) { return 3 * x; };',
    });
    const p = await packBundle(d);
    expect(p.packages).toEqual(['tiny-triple']);
    expect([...new Set(await specifiers(text(p.files.get('Runner.js')!)))]).toEqual(['algobox']);
    expect((await installAndRun(p, [1, 1, 1, 1])).out).toEqual([3, 3, 3, 3]);

    const missing = scaleFolder('', { 'lib/helpers.js': `import pad from "left-pad-not-installed/sub";\n${HELPERS}` });
    const e = await packError(missing);
    expect(e.message).toContain("lib/helpers.js:1:17: cannot bundle 'left-pad-not-installed/sub': the package 'left-pad-not-installed' is not installed");
    expect(e.message).toContain('npm install left-pad-not-installed');
  });

  it('refuses other "algobox/…" modules, URLs and Node built-ins', async () => {
    const imp = (line: string) => scaleFolder('', { 'Runner.js': `${line}\n${SCALE_RUNNER}` });
    expect((await packError(imp('import "algobox/nope";'))).message).toContain(
      `cannot import 'algobox/nope': the app provides only "algobox" and "algobox/image".`,
    );
    expect((await packError(imp('import "https://example.com/x.js";'))).message).toContain(`cannot import 'https://example.com/x.js'`);
    expect((await packError(imp('import "fs";'))).message).toContain(`cannot bundle 'fs': 'fs' is a Node built-in`);
  });
});

describe('pack: the import check (check_importable = true)', () => {
  const checked = (runner: string) =>
    folder({ 'pyproject.toml': manifest('checked', 'Generic', 'check_importable = true'), 'Runner.js': runner, 'lib/x.js': 'export const x = 1;' });

  it('passes a complete Runner', async () => {
    const r = await packBundle(
      checked(
        `import { BaseRunner } from "algobox";\nimport { x } from "./lib/x.js";\nexport class Runner extends BaseRunner {\n  async preprocess(d) { return d; }\n  async inference(d) { return x; }\n  async postprocess(d) { return []; }\n}\n`,
      ),
    );
    expect(r.importCheck).toBe('passed');
  });

  it("refuses a Runner that does not implement inference, with the reference's wording", async () => {
    const e = await packError(
      checked(
        `import { BaseRunner } from "algobox";\nexport class Runner extends BaseRunner {\n  async preprocess(d) { return d; }\n  async postprocess(d) { return []; }\n}\n`,
      ),
    );
    expect(e.message).toBe(
      "Import check failed (check_importable = true): Can't instantiate the Runner: it does not implement inference. Please implement the inference method in the algorithm Runner class.",
    );
  });

  it('refuses a Runner that throws at import, a module without Runner, and a Runner not extending BaseRunner', async () => {
    expect((await packError(checked('import "algobox";\nthrow new Error("boom at import");\nexport class Runner {}\n'))).message).toBe(
      'Import check failed (check_importable = true): Loading Runner.js failed: boom at import',
    );
    expect((await packError(checked('export class Other {}\n'))).message).toMatch(/Runner\.js must export a class named Runner .*; it exports Other\.$/);
    expect((await packError(checked('export class Runner { inference() {} }\n'))).message).toContain('Runner must extend BaseRunner or a typed runner');
  });

  it('is not run when check_importable = false (the default)', async () => {
    const r = await packBundle(
      folder({ 'pyproject.toml': manifest('unchecked', 'Generic'), 'Runner.js': 'throw new Error("never imported");\nexport class Runner {}\n' }),
    );
    expect(r.importCheck).toBe('skipped');
  });
});

describe('pack: refusals', () => {
  it("a manifest error refuses with install's message and names the field; warnings come along", async () => {
    const toml = manifest('bad', 'Image2Image')
      .replace('supported_devices = ["cpu", "gpu"]', 'supported_devices = ["cpu"]')
      .replace('default_device = "cpu"', 'default_device = "gpu"')
      .replace('description = "test bundle"', 'description = ""');
    const e = await packError(scaleFolder('', { 'pyproject.toml': toml }));
    let expected: ManifestError | undefined;
    try {
      parseManifest(toml);
    } catch (x) {
      expected = x as ManifestError;
    }
    expect(expected).toBeInstanceOf(ManifestError);
    expect(e.message).toBe(expected!.message);
    expect(e.field).toBe(expected!.field);
    expect(e.field).toMatch(/default_device/);
    expect(e.message).toBe("Default device 'gpu' is not in the list of supported devices ['cpu'].");
    expect(e.warnings).toEqual(['Description is empty. Consider providing a description for better documentation.']);
    // Install says the same.
    await expect(api.algorithms.install({ 'pyproject.toml': toml, 'Runner.js': SCALE_RUNNER })).rejects.toThrow(expected!.message);
  });

  it('refuses path traversal: a symlink out of the folder, an import out of the folder, a file name that is no bundle path', async () => {
    const secret = join(tmp, 'secret.txt');
    writeFileSync(secret, 'secret');
    const linkDir = scaleFolder();
    symlinkSync(secret, join(linkDir, 'files', 'evil.txt'));
    expect((await packError(linkDir)).message).toBe(
      `files/evil.txt is a symbolic link to ${secret}, outside the bundle folder: bundle files must stay inside it.`,
    );

    writeFileSync(join(tmp, 'outside.js'), 'export const o = 1;');
    const impDir = join(tmp, `b${++seq}`, 'inner');
    mkdirSync(impDir, { recursive: true });
    writeFileSync(join(impDir, 'pyproject.toml'), manifest('trav', 'Generic'));
    writeFileSync(join(impDir, 'Runner.js'), 'import { o } from "../../outside.js";\nexport class Runner { x = o; }\n');
    expect((await packError(impDir)).message).toContain(`Runner.js:1:19: cannot import '../../outside.js': it points outside the bundle folder`);

    const nameDir = scaleFolder('', { 'files/a\\b.bin': 'x' });
    expect((await packError(nameDir)).message).toBe(
      `File name 'files/a\\b.bin' is not a bundle path (a relative path with "/" separators, no "\\", "." or ".." segments); rename it.`,
    );
  });

  it('refuses a folder without a Runner, with both Runner.js and Runner.ts, or a TypeScript entry', async () => {
    expect((await packError(folder({ 'pyproject.toml': manifest('norunner', 'Generic') }))).message).toBe(
      'The bundle has no Runner.js (nor Runner.ts) at its root; it must define `export class Runner`.',
    );
    expect((await packError(scaleFolder('', { 'Runner.ts': SCALE_RUNNER }))).message).toMatch(/^The folder has both Runner\.js and Runner\.ts/);
    const e = await packError(
      folder({ 'pyproject.toml': `${manifest('tsentry', 'Generic')}\n[tool.algobox]\nentry = "Runner.ts"\n`, 'Runner.ts': SCALE_RUNNER }),
    );
    expect(e.field).toBe('tool.algobox.entry');
  });

  it('a declared asset SHA-256 that does not match refuses as install would', async () => {
    const d = scaleFolder(`\n[tool.algobox.assets."files/model.bin"]\nsha256 = "${'a'.repeat(64)}"\n`);
    expect((await packError(d)).message).toMatch(
      /^The packed bundle would not install: files\/model\.bin has SHA-256 [0-9a-f]{64}, but \[tool\.algobox\.assets\] declares a{64}/,
    );
  });
});

describe('pack: the command line', () => {
  it('writes <name>-<version>.zip in the current directory and prints path, file count, size and bundle hash', async () => {
    const cwd = join(tmp, `cwd${++seq}`);
    mkdirSync(cwd);
    const out: string[] = [];
    const err: string[] = [];
    const code = await main([scaleFolder()], { out: (l) => out.push(l), err: (l) => err.push(l), cwd });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const zip = readFileSync(join(cwd, 'packed_scale-1.0.0.zip'));
    const lock = parseBundleLock(unzipSync(zip)['bundle.lock.json']!);
    const printed = out.join('\n');
    expect(printed).toContain('Wrote packed_scale-1.0.0.zip');
    expect(printed).toContain('files:  5 (pyproject.toml, Runner.js, 2 assets, bundle.lock.json)');
    expect(printed).toContain(`size:   ${zip.byteLength.toLocaleString('en-US')} bytes`);
    expect(printed).toContain(`bundle: ${lock.bundle}`);
  });

  it('prints manifest errors with the field and exits 1; --help exits 0', async () => {
    const err: string[] = [];
    const toml = manifest('bad', 'Image2Image').replace('default_device = "cpu"', 'default_device = "tpu"');
    const code = await main([scaleFolder('', { 'pyproject.toml': toml }), '-o', join(tmp, 'never.zip')], { out: () => {}, err: (l) => err.push(l), cwd: tmp });
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/^algobox-pack: .*\n {2}\(field: tool\.compox\.default_device\)$/s);
    expect(existsSync(join(tmp, 'never.zip'))).toBe(false);
    const out: string[] = [];
    expect(await main(['--help'], { out: (l) => out.push(l), err: () => {}, cwd: tmp })).toBe(0);
    expect(out.join('\n')).toMatch(/^Usage: npm run pack -- <algorithm folder> \[-o <out\.zip>\]/);
    expect(await main([], { out: () => {}, err: () => {}, cwd: tmp })).toBe(2);
  });

  it('scripts/pack.mjs compiles tools/pack and packs a folder', () => {
    const outZip = join(tmp, 'cli.zip');
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'pack.mjs'), join(BUILTINS, 'threshold_segmentation'), '-o', outZip], {
      encoding: 'utf8',
      cwd: tmp,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Packing threshold_segmentation 1\.1\.0 from /);
    expect(r.stdout).toMatch(/bundle: [0-9a-f]{64}\n$/);
    expect(Object.keys(unzipSync(readFileSync(outZip)))).toEqual(['pyproject.toml', 'Runner.js', 'README.md', 'bundle.lock.json']);
  }, 60_000);
});

describe('pack: the built-in bundles', () => {
  // sam_embedding (45 MB of models) takes ~10 s to deflate; the others are packed and installed.
  const names = readdirSync(BUILTINS).filter((n) => existsSync(join(BUILTINS, n, 'pyproject.toml')) && n !== 'sam_embedding');
  it.each(names)(
    "%s packs into one module and installs with the lock's bundle hash",
    async (name) => {
      const r = await packBundle(join(BUILTINS, name));
      for (const s of await specifiers(text(r.files.get('Runner.js')!))) expect(['algobox', 'algobox/image']).toContain(s);
      const alg = await api.algorithms.install(new Blob([r.zip as Uint8Array<ArrayBuffer>]));
      expect(alg.name).toBe(name);
      expect(alg.bundleHash).toBe(r.lock.bundle);
      expect(alg.warnings).toEqual([]);
    },
    60_000,
  );
});
