// Reading a bundle from wherever it comes from into a map of bundle-relative paths to bytes:
// a zip (File/Blob/bytes), a dropped folder (File list), an object of paths to contents, or a URL
// of a zip or of a folder (pyproject.toml, then the entry module, its relative imports and the
// files [tool.algobox] lists).
import { unzipSync } from 'fflate';
import { parseManifest } from '../core/manifest';
import { normalizePath } from '../sdk/bundlePath';
import { thrownMessage } from '../core/describeValue';

export type BundleFiles = Map<string, Uint8Array>;
export type BundleFileContent = string | Uint8Array | ArrayBuffer | Blob;
export type BundleSource = Blob | string | URL | File[] | FileList | Record<string, BundleFileContent>;

export interface ReadBundle {
  files: BundleFiles;
  origin: { kind: 'url' | 'zip' | 'files'; url?: string };
  /** For URL installs: the bytes fetched (a zip) so a caller can hash or re-serve them. */
  zipBytes?: Uint8Array;
}

/** Max total unpacked size (2 GiB) and file count, against zip bombs. */
const MAX_TOTAL_BYTES = 2 * 1024 ** 3;
const MAX_FILES = 10_000;
/** URL schemes a bundle is fetched from (blob: for files the page made itself). */
const URL_PROTOCOLS = ['http:', 'https:', 'blob:'];

const JUNK = /(^|\/)(__MACOSX|__pycache__|\.git|node_modules)(\/|$)|(^|\/)(\.DS_Store|Thumbs\.db|\.gitignore)$/;

export class BundleSourceError extends Error {}

function isZip(u8: Uint8Array): boolean {
  return u8.length >= 4 && u8[0] === 0x50 && u8[1] === 0x4b && (u8[2] === 0x03 || u8[2] === 0x05) && (u8[3] === 0x04 || u8[3] === 0x06);
}

/** Normalise paths, refuse traversal, drop junk, and strip one common top folder when the manifest is not at the root. */
export function normalizeFiles(raw: Map<string, Uint8Array>): BundleFiles {
  const out: BundleFiles = new Map();
  let total = 0;
  for (const [p, bytes] of raw) {
    if (p.endsWith('/')) continue; // directory entry
    if (/^[a-z]:/i.test(p) || p.startsWith('/') || p.startsWith('\\')) {
      throw new BundleSourceError(`Bundle file name '${p}' is an absolute path; bundle paths must be relative.`);
    }
    let n: string;
    try {
      n = normalizePath(p);
    } catch {
      throw new BundleSourceError(`Bundle file name '${p}' points outside the bundle ('..' is not allowed).`);
    }
    if (p.replace(/\\/g, '/').split('/').includes('..')) {
      throw new BundleSourceError(`Bundle file name '${p}' contains '..'; bundle paths must stay inside the bundle.`);
    }
    if (!n || JUNK.test(n)) continue;
    total += bytes.byteLength;
    out.set(n, bytes);
  }
  if (out.size > MAX_FILES) throw new BundleSourceError(`The bundle has ${out.size} files; at most ${MAX_FILES} are allowed.`);
  if (total > MAX_TOTAL_BYTES) throw new BundleSourceError(`The bundle unpacks to ${total} bytes; at most ${MAX_TOTAL_BYTES} are allowed.`);
  if (!out.has('pyproject.toml')) {
    const tops = new Set([...out.keys()].map((k) => k.split('/')[0]));
    const [top] = tops;
    if (tops.size === 1 && top && out.has(`${top}/pyproject.toml`)) {
      const stripped: BundleFiles = new Map();
      for (const [k, v] of out) stripped.set(k.slice(top.length + 1), v);
      return stripped;
    }
  }
  return out;
}

export function unzipBundle(bytes: Uint8Array): BundleFiles {
  let entries: Record<string, Uint8Array>;
  try {
    let count = 0;
    let declared = 0;
    entries = unzipSync(bytes, {
      filter: (f) => {
        count++;
        declared += f.originalSize;
        if (count > MAX_FILES) throw new BundleSourceError(`The zip has more than ${MAX_FILES} files.`);
        if (declared > MAX_TOTAL_BYTES) throw new BundleSourceError(`The zip unpacks to more than ${MAX_TOTAL_BYTES} bytes.`);
        return !f.name.endsWith('/');
      },
    });
  } catch (e) {
    if (e instanceof BundleSourceError) throw e;
    throw new BundleSourceError(`The bundle is not a readable zip file: ${thrownMessage(e)}`);
  }
  return normalizeFiles(new Map(Object.entries(entries)));
}

async function toBytes(c: BundleFileContent, path: string): Promise<Uint8Array> {
  if (typeof c === 'string') return new TextEncoder().encode(c);
  if (c instanceof Uint8Array) return c;
  if (c instanceof ArrayBuffer) return new Uint8Array(c);
  if (typeof Blob !== 'undefined' && c instanceof Blob) return new Uint8Array(await c.arrayBuffer());
  throw new BundleSourceError(`Bundle file '${path}': expected a string, Uint8Array, ArrayBuffer or Blob, got ${typeof c}.`);
}

async function fetchBytes(url: string, fetchFn: typeof fetch): Promise<Uint8Array> {
  return (await fetchResponse(url, fetchFn)).bytes;
}

async function fetchResponse(url: string, fetchFn: typeof fetch): Promise<{ bytes: Uint8Array; contentType: string }> {
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch (e) {
    throw new BundleSourceError(`Could not fetch ${url}: ${thrownMessage(e)}`);
  }
  if (!res.ok) throw new BundleSourceError(`Could not fetch ${url}: HTTP ${res.status} ${res.statusText}`.trim());
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > MAX_TOTAL_BYTES) {
    throw new BundleSourceError(`Could not fetch ${url}: it is ${declared} bytes (Content-Length); a bundle may be at most ${MAX_TOTAL_BYTES} bytes.`);
  }
  return { bytes: new Uint8Array(await res.arrayBuffer()), contentType: res.headers.get('content-type') ?? 'unknown type' };
}

/** Relative imports of a module (for crawling a folder URL). */
async function relativeImports(source: string, path: string): Promise<string[]> {
  // The module lexer loads with the first bundle fetched from a folder URL (not at start-up).
  const lexer = await import('es-module-lexer');
  await lexer.init();
  let imports: ReturnType<typeof lexer.parse>[0];
  try {
    [imports] = lexer.parse(source, path);
  } catch (e) {
    throw new BundleSourceError(`${path} is not a valid ES module: ${thrownMessage(e)}`);
  }
  const out: string[] = [];
  for (const im of imports) {
    const s = im.specifier;
    if (typeof s === 'string' && (s.startsWith('./') || s.startsWith('../'))) {
      const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
      out.push(normalizePath(dir + s));
    }
  }
  return out;
}

/** A bundle served as a folder: pyproject.toml, the entry module and its imports, and [tool.algobox].files. */
async function readFolderUrl(base: string, fetchFn: typeof fetch): Promise<BundleFiles> {
  const files: BundleFiles = new Map();
  const toml = await fetchBytes(new URL('pyproject.toml', base).href, fetchFn);
  files.set('pyproject.toml', toml);
  const { manifest } = parseManifest(new TextDecoder().decode(toml));
  const queue = [normalizePath(manifest.entry)];
  while (queue.length) {
    const p = queue.shift()!;
    if (files.has(p)) continue;
    const bytes = await fetchBytes(new URL(p, base).href, fetchFn);
    files.set(p, bytes);
    if (/\.m?js$/.test(p)) queue.push(...(await relativeImports(new TextDecoder().decode(bytes), p)));
  }
  for (const f of manifest.files) {
    const p = normalizePath(f);
    if (!files.has(p)) files.set(p, await fetchBytes(new URL(p, base).href, fetchFn));
  }
  return normalizeFiles(files);
}

/** Read any supported source into bundle files. */
export async function readBundleSource(source: BundleSource, fetchFn: typeof fetch = globalThis.fetch.bind(globalThis)): Promise<ReadBundle> {
  if (typeof source === 'string' || source instanceof URL) {
    const baseHref = typeof location !== 'undefined' ? location.href : undefined;
    let url: URL;
    try {
      url = new URL(String(source), baseHref);
    } catch {
      throw new BundleSourceError(`'${String(source)}' is not a valid URL.`);
    }
    if (!URL_PROTOCOLS.includes(url.protocol)) {
      throw new BundleSourceError(
        `Bundle URL '${url.href.slice(0, 200)}': the scheme ${url.protocol} is not supported; expected an http: or https: URL of a .zip or a folder.`,
      );
    }
    const href = url.href;
    if (/\.zip($|[?#])/i.test(url.pathname + url.search)) {
      const { bytes, contentType } = await fetchResponse(href, fetchFn);
      if (!isZip(bytes)) throw new BundleSourceError(`${href} did not return a zip file (got ${contentType}, ${bytes.byteLength} bytes).`);
      return { files: unzipBundle(bytes), origin: { kind: 'url', url: href }, zipBytes: bytes };
    }
    const folder = url.pathname.endsWith('/pyproject.toml') ? new URL('.', url).href : url.pathname.endsWith('/') ? href : `${href}/`;
    return { files: await readFolderUrl(folder, fetchFn), origin: { kind: 'url', url: href } };
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const bytes = new Uint8Array(await source.arrayBuffer());
    if (!isZip(bytes)) {
      const name = (source as File).name ?? 'the file';
      throw new BundleSourceError(`${name} is not a zip file; install a bundle from a .zip, a folder, or a URL.`);
    }
    return { files: unzipBundle(bytes), origin: { kind: 'zip' } };
  }
  if (Array.isArray(source) || (typeof FileList !== 'undefined' && source instanceof FileList)) {
    const raw = new Map<string, Uint8Array>();
    for (const f of Array.from(source as ArrayLike<File>)) {
      const p = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
      raw.set(p, new Uint8Array(await f.arrayBuffer()));
    }
    return { files: normalizeFiles(raw), origin: { kind: 'files' } };
  }
  if (source && typeof source === 'object') {
    const raw = new Map<string, Uint8Array>();
    for (const [p, c] of Object.entries(source)) raw.set(p, await toBytes(c, p));
    return { files: normalizeFiles(raw), origin: { kind: 'files' } };
  }
  throw new BundleSourceError(
    `Cannot install from ${source === null ? 'null' : typeof source}; give a zip File/Blob, a URL, a folder's files, or an object of paths to contents.`,
  );
}
