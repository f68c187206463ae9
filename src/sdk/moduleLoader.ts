// Links a bundle's ES modules inside the worker that runs them: every relative import is rewritten
// to the URL of the imported bundle file (blob: in browsers, data: in Node), "algobox" (and other
// built-in specifiers) to a shim that re-exports the SDK the host provides. Network, bare-package
// and computed imports are refused with a message naming the file and the specifier. Uses
// es-module-lexer (the lexer Vite uses) to find import specifiers.
import { init, parse } from 'es-module-lexer';
import { thrownMessage } from '../core/describeValue';
import { BundleLinkError, normalizePath } from './bundlePath';

export { BundleLinkError, normalizePath };

export type ModuleUrlFactory = (source: string) => string;

let dataUrlSeq = 0;

/**
 * blob: URLs in browsers and workers; data: URLs in Node, whose import() cannot load blob: URLs.
 * Node caches modules by URL, so each data: URL gets a unique trailing comment: like a blob: URL,
 * every link makes new module instances (fresh module state, current built-in namespaces).
 */
export const defaultUrlFactory: ModuleUrlFactory = (source) => {
  const isNode = !!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  if (!isNode) return URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  return `data:text/javascript;base64,${base64(`${source}\n// algobox link ${++dataUrlSeq}`)}`;
};

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

const MODULES_KEY = Symbol.for('algobox.builtinModules');

const CODE_EXT = /\.(m?js)$/;

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}

function resolveRelative(importer: string, spec: string, modules: Record<string, string>): string {
  let base: string;
  try {
    base = normalizePath(dirOf(importer) + spec);
  } catch {
    throw new BundleLinkError(`${importer} imports '${spec}', which points outside the bundle.`);
  }
  const candidates = CODE_EXT.test(base) ? [base] : [base, `${base}.js`, `${base}.mjs`, `${base}/index.js`];
  for (const c of candidates) if (c in modules) return c;
  throw new BundleLinkError(`${importer} imports '${spec}', but the bundle has no file ${base}${CODE_EXT.test(base) ? '' : ' (tried .js, .mjs, /index.js)'}.`);
}

function shimSource(specifier: string, namespace: Record<string, unknown>): string {
  const names = Object.keys(namespace).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
  const lines = [`const m = globalThis[Symbol.for('algobox.builtinModules')][${JSON.stringify(specifier)}];`];
  for (const n of names) lines.push(`export const ${n} = m.${n};`);
  lines.push('export default m;');
  return lines.join('\n');
}

export interface LinkedBundle {
  /** URL of the entry module, ready for import(). */
  entryUrl: string;
  /** Every URL created (to revoke when the runner is evicted). */
  urls: string[];
  /** Files in link order (dependencies first). */
  order: string[];
}

/**
 * Link `modules` (bundle-relative path → source) starting at `entry`. `builtins` maps bare
 * specifiers (e.g. "algobox") to the namespace objects bundles receive for them.
 */
export async function linkBundle(
  modules: Record<string, string>,
  entry: string,
  builtins: Record<string, Record<string, unknown>>,
  urlFactory: ModuleUrlFactory = defaultUrlFactory,
): Promise<LinkedBundle> {
  await init();
  const g = globalThis as unknown as Record<symbol, Record<string, unknown>>;
  g[MODULES_KEY] = { ...g[MODULES_KEY], ...builtins };

  const entryPath = normalizePath(entry);
  if (!(entryPath in modules)) throw new BundleLinkError(`The bundle has no entry module ${entryPath}.`);

  const urls: string[] = [];
  const builtinUrls: Record<string, string> = {};
  const done = new Map<string, string>();
  const order: string[] = [];
  const visiting: string[] = [];

  const builtinUrl = (spec: string) => {
    if (!builtinUrls[spec]) {
      builtinUrls[spec] = urlFactory(shimSource(spec, builtins[spec]!));
      urls.push(builtinUrls[spec]!);
    }
    return builtinUrls[spec]!;
  };

  const visit = (path: string): string => {
    const have = done.get(path);
    if (have) return have;
    if (visiting.includes(path)) {
      const cycle = [...visiting.slice(visiting.indexOf(path)), path].join(' → ');
      throw new BundleLinkError(`Import cycle between bundle modules: ${cycle}. Bundle modules must not import each other in a cycle.`);
    }
    visiting.push(path);
    const src = modules[path]!;
    let imports: ReturnType<typeof parse>[0];
    try {
      [imports] = parse(src, path);
    } catch (e) {
      throw new BundleLinkError(`${path} is not a valid ES module: ${thrownMessage(e)}`);
    }
    const edits: { s: number; e: number; text: string }[] = [];
    for (const im of imports) {
      if (im.type === 'import-meta') continue;
      const spec = im.specifier;
      // A template literal with ${…} is computed too (the lexer reports it as a glob like "./lib/*.js").
      if (spec === undefined || spec === null || (im.type === 'dynamic' && im.glob)) {
        throw new BundleLinkError(`${path} uses import() with a computed specifier; bundle code may only import its own files and "algobox" by literal name.`);
      }
      let url: string;
      if (spec.startsWith('./') || spec.startsWith('../')) url = visit(resolveRelative(path, spec, modules));
      else if (spec in builtins) url = builtinUrl(spec);
      else if (/^[a-z][a-z0-9+.-]*:/i.test(spec) || spec.startsWith('/')) {
        throw new BundleLinkError(
          `${path} imports '${spec}'. Bundle code may not load code from the network or absolute paths; import its own files with ./ paths.`,
        );
      } else {
        throw new BundleLinkError(
          `${path} imports '${spec}', which is not available to bundles. Bundles can import ${Object.keys(builtins)
            .map((b) => `"${b}"`)
            .join(', ')} and their own files (./…); bundle other dependencies into Runner.js (npm run pack).`,
        );
      }
      // Static imports: start..end is the specifier without quotes; dynamic: the whole literal with quotes.
      edits.push({ s: im.start, e: im.end, text: im.type === 'dynamic' ? JSON.stringify(url) : url });
    }
    let out = src;
    for (const ed of edits.sort((a, b) => b.s - a.s)) out = out.slice(0, ed.s) + ed.text + out.slice(ed.e);
    const url = urlFactory(`${out}\n//# sourceURL=bundle/${path}`);
    urls.push(url);
    done.set(path, url);
    order.push(path);
    visiting.pop();
    return url;
  };

  return { entryUrl: visit(entryPath), urls, order };
}

/** Revoke blob: URLs created by linkBundle. */
export function revokeBundle(linked: LinkedBundle): void {
  for (const u of linked.urls) if (u.startsWith('blob:')) URL.revokeObjectURL(u);
}
