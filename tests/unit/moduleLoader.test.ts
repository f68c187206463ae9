// The bundle module linker: in Node it produces data: URLs, which these tests import to check the
// linked modules behave; errors must name the importing file and the specifier.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as sdk from '../../src/sdk/index';
import { BaseRunner } from '../../src/sdk/BaseRunner';
import { BundleLinkError, linkBundle, normalizePath, revokeBundle, type ModuleUrlFactory } from '../../src/sdk/moduleLoader';

const builtins = { algobox: sdk as unknown as Record<string, unknown> };

async function load(modules: Record<string, string>, entry = 'Runner.js', b: Record<string, Record<string, unknown>> = builtins) {
  const linked = await linkBundle(modules, entry, b);
  const mod = (await import(/* @vite-ignore */ linked.entryUrl)) as Record<string, unknown>;
  return { linked, mod };
}

async function linkError(modules: Record<string, string>, entry = 'Runner.js'): Promise<Error> {
  try {
    await linkBundle(modules, entry, builtins);
  } catch (e) {
    expect(e).toBeInstanceOf(BundleLinkError);
    return e as Error;
  }
  throw new Error('expected linkBundle to fail');
}

describe('linkBundle: relative imports', () => {
  it('resolves ./ and ../ imports, with and without extension, through nested chains', async () => {
    const { linked, mod } = await load({
      'Runner.js': `import { f } from './lib/a'; import { h } from './lib/deep/h.mjs'; export const v = f() + h();`,
      'lib/a.js': `import { g } from '../util/g.js'; import { k } from './deep/k'; export const f = () => g() + k();`,
      'lib/deep/k.js': `import { g } from '../../util/g'; export const k = () => g() * 10;`,
      'lib/deep/h.mjs': `export const h = () => 1000;`,
      'util/g.js': `export const g = () => 1;`,
    });
    expect(mod.v).toBe(1011);
    expect(linked.entryUrl.startsWith('data:text/javascript;base64,')).toBe(true);
    // Dependencies first; each file linked once even when imported twice.
    expect(linked.order).toEqual(['util/g.js', 'lib/deep/k.js', 'lib/a.js', 'lib/deep/h.mjs', 'Runner.js']);
    expect(linked.urls).toHaveLength(5);
  });

  it('resolves a directory import to its index.js and an extensionless name to .mjs', async () => {
    const { mod } = await load({
      'Runner.js': `import { a } from './pkg'; import { b } from './other'; export const v = a + b;`,
      'pkg/index.js': `export const a = 'a';`,
      'other.mjs': `export const b = 'b';`,
    });
    expect(mod.v).toBe('ab');
  });

  it('a module imported along two paths is one module instance', async () => {
    const { linked, mod } = await load({
      'Runner.js': `import { inc } from './a.js'; import { read } from './b.js'; inc(); inc(); export const v = read();`,
      'a.js': `import { state } from './state.js'; export const inc = () => state.n++;`,
      'b.js': `import { state } from './state.js'; export const read = () => state.n;`,
      'state.js': `export const state = { n: 0 };`,
    });
    expect(mod.v).toBe(2);
    expect(linked.order.filter((p) => p === 'state.js')).toHaveLength(1);
  });

  it('handles re-exports: export *, export {a} from, export * as ns', async () => {
    const { mod } = await load({
      'Runner.js': `export * from './x.js'; export { a, b as bee } from './y.js'; export * as ns from './z.js';`,
      'x.js': `export const x1 = 1; export function x2() { return 2; }`,
      'y.js': `export const a = 'A'; export const b = 'B'; export const hidden = 'H';`,
      'z.js': `export const z = 'Z';`,
    });
    expect(mod.x1).toBe(1);
    expect((mod.x2 as () => number)()).toBe(2);
    expect(mod.a).toBe('A');
    expect(mod.bee).toBe('B');
    expect(mod.hidden).toBeUndefined();
    expect((mod.ns as Record<string, unknown>).z).toBe('Z');
  });

  it('rewrites dynamic imports with a literal specifier (quotes, template without ${})', async () => {
    const { linked, mod } = await load({
      'Runner.js': [
        `export async function single() { return (await import('./lazy.js')).value; }`,
        'export async function tpl() { return (await import(`./lib/lazy2`)).value; }',
        `export async function sdkNs() { return (await import("algobox")).BaseRunner; }`,
      ].join('\n'),
      'lazy.js': `export const value = 'lazy';`,
      'lib/lazy2.js': `export const value = 'lazy2';`,
    });
    expect(linked.order).toEqual(['lazy.js', 'lib/lazy2.js', 'Runner.js']);
    expect(await (mod.single as () => Promise<unknown>)()).toBe('lazy');
    expect(await (mod.tpl as () => Promise<unknown>)()).toBe('lazy2');
    expect(await (mod.sdkNs as () => Promise<unknown>)()).toBe(BaseRunner);
  });

  it('leaves import.meta, strings and comments that mention imports alone', async () => {
    const { mod } = await load({
      'Runner.js': [
        `// import x from './nowhere.js'`,
        `export const s = "import y from './nowhere.js'";`,
        `export const hasMeta = typeof import.meta === 'object';`,
      ].join('\n'),
    });
    expect(mod.s).toBe("import y from './nowhere.js'");
    expect(mod.hasMeta).toBe(true);
  });

  it('normalises the entry path', async () => {
    const { linked, mod } = await load({ 'src/Runner.js': `export const v = 1;` }, './src//Runner.js');
    expect(linked.order).toEqual(['src/Runner.js']);
    expect(mod.v).toBe(1);
  });
});

describe('linkBundle: the "algobox" built-in', () => {
  it('exposes the SDK named exports and the namespace as default', async () => {
    const { mod } = await load({
      'Runner.js': [
        `import { BaseRunner, Image2ImageRunner, ndarray, z, ImageSchema } from 'algobox';`,
        `import algobox from 'algobox';`,
        `import * as ns from 'algobox';`,
        `export const got = { BaseRunner, Image2ImageRunner, ndarray, z, ImageSchema, algobox, ns };`,
        `export class Runner extends Image2ImageRunner {}`,
      ].join('\n'),
    });
    const got = mod.got as Record<string, unknown>;
    expect(got.BaseRunner).toBe(sdk.BaseRunner);
    expect(got.Image2ImageRunner).toBe(sdk.Image2ImageRunner);
    expect(got.ndarray).toBe(sdk.ndarray);
    expect(got.z).toBe(sdk.z);
    expect(got.ImageSchema).toBe(sdk.ImageSchema);
    expect(got.algobox).toBe(sdk);
    const ns = got.ns as Record<string, unknown>;
    for (const name of Object.keys(sdk)) expect(ns[name]).toBe((sdk as Record<string, unknown>)[name]);
    expect((mod.Runner as { prototype: object }).prototype instanceof BaseRunner).toBe(true);
  });

  it('extra built-ins: identifier names become named exports, every key stays on default', async () => {
    const extra = { answer: 42, 'not-an-ident': 'x', default: 'ignored as a named export' };
    const { mod } = await load(
      { 'Runner.js': `import d, { answer } from 'algobox/extra'; export const v = [answer, d['not-an-ident'], d.default];` },
      'Runner.js',
      { ...builtins, 'algobox/extra': extra },
    );
    expect(mod.v).toEqual([42, 'x', 'ignored as a named export']);
  });

  it('one shim per built-in, shared by every importer', async () => {
    const { linked } = await load({
      'Runner.js': `import { a } from './a.js'; import { ndarray } from 'algobox'; export const v = [a, ndarray];`,
      'a.js': `import { z } from 'algobox'; export const a = z;`,
    });
    expect(linked.urls).toHaveLength(3); // shim + a.js + Runner.js
  });
});

describe('linkBundle: refused imports', () => {
  it('an import cycle, named file by file', async () => {
    expect((await linkError({ 'a.js': `import './b.js';`, 'b.js': `import './a.js';` }, 'a.js')).message).toBe(
      'Import cycle between bundle modules: a.js → b.js → a.js. Bundle modules must not import each other in a cycle.',
    );
    expect(
      (
        await linkError({
          'Runner.js': `import { x } from './lib/a.js';`,
          'lib/a.js': `export * from './b';`,
          'lib/b.js': `import '../c.js';`,
          'c.js': `const m = await import('./lib/a.js');`,
        })
      ).message,
    ).toBe('Import cycle between bundle modules: lib/a.js → lib/b.js → c.js → lib/a.js. Bundle modules must not import each other in a cycle.');
    expect((await linkError({ 'Runner.js': `import './Runner.js';` })).message).toBe(
      'Import cycle between bundle modules: Runner.js → Runner.js. Bundle modules must not import each other in a cycle.',
    );
  });

  it.each([
    ['import(name)', `const name = './a.js'; export const p = import(name);`],
    ['concatenation', `export const p = (x) => import('./lib/' + x);`],
    ['template with ${}', 'export const p = (x) => import(`./lib/${x}.js`);'],
    ['bare template with ${}', 'export const p = (x) => import(`${x}`);'],
    ['conditional', `export const p = (c) => import(c ? './a.js' : './b.js');`],
  ])('a computed dynamic import (%s)', async (_label, src) => {
    expect((await linkError({ 'Runner.js': `import './lib/ok.js';`, 'lib/ok.js': src, 'a.js': '', 'b.js': '' })).message).toBe(
      'lib/ok.js uses import() with a computed specifier; bundle code may only import its own files and "algobox" by literal name.',
    );
  });

  it.each([
    'https://cdn.example.com/lib.js',
    'http://example.com/x.js',
    'data:text/javascript,export default 1',
    'blob:https://example.com/1234',
    'node:fs',
    'file:///etc/passwd',
    '/abs/lib.js',
  ])('network URL / absolute path %s', async (spec) => {
    expect((await linkError({ 'Runner.js': `import x from ${JSON.stringify(spec)};` })).message).toBe(
      `Runner.js imports '${spec}'. Bundle code may not load code from the network or absolute paths; import its own files with ./ paths.`,
    );
  });

  it('a network URL in a dynamic import', async () => {
    expect((await linkError({ 'Runner.js': `export const p = () => import("https://evil.example/x.js");` })).message).toBe(
      `Runner.js imports 'https://evil.example/x.js'. Bundle code may not load code from the network or absolute paths; import its own files with ./ paths.`,
    );
  });

  it.each(['lodash', 'onnxruntime-web', 'algobox/image', 'fs', '.', '..', 'lib/a.js'])('unknown bare specifier %s', async (spec) => {
    expect((await linkError({ 'Runner.js': `import x from ${JSON.stringify(spec)};`, 'lib/a.js': '' })).message).toBe(
      `Runner.js imports '${spec}', which is not available to bundles. Bundles can import "algobox" and their own files (./…); bundle other dependencies into Runner.js (npm run pack).`,
    );
  });

  it('a missing file, with and without extension, named from the importing file', async () => {
    expect((await linkError({ 'Runner.js': `import './lib/a.js';`, 'lib/a.js': `import { x } from './missing.js';` })).message).toBe(
      "lib/a.js imports './missing.js', but the bundle has no file lib/missing.js.",
    );
    expect((await linkError({ 'Runner.js': `import { x } from '../Runner.js/../nope';` })).message).toBe(
      "Runner.js imports '../Runner.js/../nope', which points outside the bundle.",
    );
    expect((await linkError({ 'Runner.js': `import { x } from './nope';` })).message).toBe(
      "Runner.js imports './nope', but the bundle has no file nope (tried .js, .mjs, /index.js).",
    );
    // Non-code files are not modules (a .json next to the code does not satisfy './data').
    expect((await linkError({ 'Runner.js': `import d from './data';`, 'data.json': '{}' })).message).toBe(
      "Runner.js imports './data', but the bundle has no file data (tried .js, .mjs, /index.js).",
    );
  });

  it('a path escaping the bundle', async () => {
    expect((await linkError({ 'Runner.js': `import '../secret.js';` })).message).toBe("Runner.js imports '../secret.js', which points outside the bundle.");
    expect((await linkError({ 'Runner.js': `import './lib/a.js';`, 'lib/a.js': `export * from '../../../etc/x.js';` })).message).toBe(
      "lib/a.js imports '../../../etc/x.js', which points outside the bundle.",
    );
    expect((await linkError({ 'Runner.js': `export const p = () => import('../up.js');` })).message).toBe(
      "Runner.js imports '../up.js', which points outside the bundle.",
    );
  });

  it('a missing entry module and a file that is not an ES module', async () => {
    expect((await linkError({ 'main.js': '' })).message).toBe('The bundle has no entry module Runner.js.');
    expect((await linkError({ 'main.js': '' }, '../Runner.js')).message).toBe("Path '../Runner.js' points outside the bundle.");
    const e = await linkError({ 'Runner.js': `import './lib/bad.js';`, 'lib/bad.js': `export { a` });
    expect(e.message).toMatch(/^lib\/bad\.js is not a valid ES module: /);
  });
});

describe('linkBundle: URLs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('uses the URL factory for every module and rewrites specifiers to the URLs', async () => {
    const sources: string[] = [];
    const factory: ModuleUrlFactory = (src) => {
      sources.push(src);
      return `mem:${sources.length}`;
    };
    const linked = await linkBundle(
      {
        'Runner.js': `import { a } from './a.js';\nimport { z } from 'algobox';\nexport const p = () => import('./b.js');`,
        'a.js': `export const a = 1;`,
        'b.js': `export const b = 2;`,
      },
      'Runner.js',
      builtins,
      factory,
    );
    expect(linked.urls).toEqual(['mem:1', 'mem:2', 'mem:3', 'mem:4']);
    expect(linked.entryUrl).toBe('mem:4');
    expect(sources[3]).toBe(`import { a } from 'mem:1';\nimport { z } from 'mem:2';\nexport const p = () => import("mem:3");\n//# sourceURL=bundle/Runner.js`);
    expect(sources[1]).toContain(`const m = globalThis[Symbol.for('algobox.builtinModules')]["algobox"];`);
    expect(sources[1]).toContain('export const BaseRunner = m.BaseRunner;');
    expect(sources[1]).toContain('export default m;');
  });

  it('every link makes new module instances, like blob: URLs (Node data: URLs are unique per link)', async () => {
    const modules = {
      'Runner.js': `import { v } from 'algobox/extra'; import { bump } from './state.js'; export const got = v; export const n = bump();`,
      'state.js': `let n = 0; export const bump = () => ++n;`,
    };
    const one = await load(modules, 'Runner.js', { ...builtins, 'algobox/extra': { v: 1 } });
    const two = await load(modules, 'Runner.js', { ...builtins, 'algobox/extra': { v: 2 } });
    expect(one.linked.entryUrl).not.toBe(two.linked.entryUrl);
    expect(one.mod).not.toBe(two.mod);
    expect([one.mod.n, two.mod.n]).toEqual([1, 1]);
    expect([one.mod.got, two.mod.got]).toEqual([1, 2]);
  });

  it('revokeBundle revokes blob: URLs only', async () => {
    const revoke = vi.spyOn(URL, 'revokeObjectURL');
    const blobFactory: ModuleUrlFactory = (src) => URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
    const linked = await linkBundle({ 'Runner.js': `import './a.js';`, 'a.js': '' }, 'Runner.js', builtins, blobFactory);
    expect(linked.urls.every((u) => u.startsWith('blob:'))).toBe(true);
    revokeBundle(linked);
    expect(revoke.mock.calls.map((c) => c[0])).toEqual(linked.urls);
    revoke.mockClear();
    revokeBundle(await linkBundle({ 'Runner.js': '' }, 'Runner.js', builtins));
    expect(revoke).not.toHaveBeenCalled();
  });
});

describe('normalizePath', () => {
  it.each([
    ['Runner.js', 'Runner.js'],
    ['./Runner.js', 'Runner.js'],
    ['/lib/a.js', 'lib/a.js'],
    ['lib//deep/./a.js', 'lib/deep/a.js'],
    ['lib\\deep\\a.js', 'lib/deep/a.js'],
    ['lib/deep/../a.js', 'lib/a.js'],
    ['a/b/../../c.js', 'c.js'],
    ['lib/', 'lib'],
    ['', ''],
    ['./', ''],
  ])('%j → %j', (input, out) => {
    expect(normalizePath(input)).toBe(out);
  });

  it.each(['..', '../a.js', 'a/../../b.js', '..\\x.js', './lib/../../x'])('refuses %j (outside the bundle)', (p) => {
    expect(() => normalizePath(p)).toThrow(new BundleLinkError(`Path '${p}' points outside the bundle.`));
    expect(() => normalizePath(p)).toThrow(BundleLinkError);
  });
});
