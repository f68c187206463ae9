// Vite plugin: the sandbox runtime and the ORT files the sandbox needs, as the virtual module
// "virtual:algobox-sandbox" (its default export: the URLs of those four files).
// - workers/sandboxRuntime.ts is built by a nested Vite build into ONE classic script (IIFE, no
//   import/export, dynamic imports inlined; onnxruntime-web replaced by a stub, since the sandbox
//   gets ORT's own files through its loader). `vite build` emits it as an asset; the dev server
//   builds it on first request (and again after a source change) and serves it itself.
// - ort.wasm.min.mjs, ort-wasm-simd-threaded.mjs and ort-wasm-simd-threaded.wasm come from
//   node_modules/onnxruntime-web/dist: `?url` assets in a build (the .wasm is the very asset the
//   app's own ORT imports, so it is emitted once), served byte-for-byte by the dev server (never
//   through Vite's transforms, which would rewrite their import.meta.url / new Worker patterns).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const VIRTUAL = 'virtual:algobox-sandbox';
const RESOLVED = `\0${VIRTUAL}`;
const ORT_STUB = '\0algobox-ort-stub';
const DEV_PREFIX = '/@algobox-sandbox/';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'workers', 'sandboxRuntime.ts');
const ortDist = join(root, 'node_modules', 'onnxruntime-web', 'dist');
const ORT_FILES = {
  ortMjs: 'ort.wasm.min.mjs',
  wasmMjs: 'ort-wasm-simd-threaded.mjs',
  wasm: 'ort-wasm-simd-threaded.wasm',
};

/**
 * Build the runtime into one classic script.
 * @returns {Promise<{ code: string, files: string[] }>} the code and the files it was built from
 */
export async function buildSandboxRuntime() {
  const out = await build({
    configFile: false,
    root,
    logLevel: 'warn',
    mode: 'production',
    plugins: [
      {
        name: 'algobox-sandbox-ort-stub',
        enforce: 'pre',
        resolveId: (/** @type {string} */ id) => (id === 'onnxruntime-web' || id.startsWith('onnxruntime-web/') ? ORT_STUB : null),
        load: (/** @type {string} */ id) =>
          id === ORT_STUB ? 'throw new Error("onnxruntime-web is not bundled into the sandbox runtime; it is loaded through the sandbox ORT loader.");' : null,
      },
    ],
    build: {
      write: false,
      target: 'es2022',
      minify: true,
      sourcemap: false,
      emptyOutDir: false,
      copyPublicDir: false,
      reportCompressedSize: false,
      lib: { entry, formats: ['iife'], name: 'algoboxSandboxRuntime', fileName: () => 'sandbox-runtime.js' },
      rolldownOptions: {
        // One script: every dynamic import is inlined, so "will not move module into another chunk" says nothing.
        onLog(level, log, handler) {
          if (log.code !== 'INEFFECTIVE_DYNAMIC_IMPORT') handler(level, log);
        },
      },
    },
  });
  const outputs = /** @type {import('vite').Rolldown.RolldownOutput[]} */ (Array.isArray(out) ? out : [out]);
  const chunks = /** @type {import('vite').Rolldown.OutputChunk[]} */ (outputs.flatMap((o) => o.output).filter((c) => c.type === 'chunk'));
  if (chunks.length !== 1) throw new Error(`sandbox runtime: expected one script, got ${chunks.length} (${chunks.map((c) => c.fileName).join(', ')}).`);
  const chunk = chunks[0];
  if (/^\s*(import|export)[\s{*]/m.test(chunk.code)) {
    throw new Error('sandbox runtime: the built script has top-level import/export; it must be a classic script.');
  }
  return { code: chunk.code, files: chunk.moduleIds.filter((id) => !id.startsWith('\0')) };
}

/** @returns {import('vite').Plugin} */
export function sandboxRuntimePlugin() {
  let isBuild = false;
  let base = '/';
  /** @type {Promise<string> | null} */
  let devRuntime = null;
  /** @type {Set<string>} */
  let devFiles = new Set();

  const devRuntimeCode = () => {
    devRuntime ??= buildSandboxRuntime().then(
      (r) => {
        devFiles = new Set(r.files);
        return r.code;
      },
      (e) => {
        devRuntime = null;
        throw e;
      },
    );
    return devRuntime;
  };

  return {
    name: 'algobox-sandbox-runtime',
    configResolved(c) {
      isBuild = c.command === 'build';
      base = c.base;
    },
    resolveId: (/** @type {string} */ id) => (id === VIRTUAL ? RESOLVED : null),
    async load(id) {
      if (id !== RESOLVED) return null;
      if (!isBuild) {
        const urls = {
          runtime: `${base}${DEV_PREFIX.slice(1)}sandbox-runtime.js`,
          ortMjs: `${base}${DEV_PREFIX.slice(1)}${ORT_FILES.ortMjs}`,
          wasmMjs: `${base}${DEV_PREFIX.slice(1)}${ORT_FILES.wasmMjs}`,
          wasm: `${base}${DEV_PREFIX.slice(1)}${ORT_FILES.wasm}`,
        };
        return `export default ${JSON.stringify(urls)};`;
      }
      const { code, files } = await buildSandboxRuntime();
      for (const f of files) this.addWatchFile(f);
      const hash = createHash('sha256').update(code).digest('hex').slice(0, 10);
      const fileName = `assets/sandbox-runtime-${hash}.js`;
      this.emitFile({ type: 'asset', fileName, source: code });
      const imp = (/** @type {string} */ name, /** @type {string} */ file) => `import ${name} from ${JSON.stringify(`${join(ortDist, file)}?url`)};`;
      return [
        imp('ortMjs', ORT_FILES.ortMjs),
        imp('wasmMjs', ORT_FILES.wasmMjs),
        imp('wasm', ORT_FILES.wasm),
        `const runtime = ${JSON.stringify(`${base}${fileName}`)};`,
        'export default { runtime, ortMjs, wasmMjs, wasm };',
      ].join('\n');
    },
    configureServer(server) {
      server.watcher.on('change', (file) => {
        if (devFiles.has(resolve(file))) devRuntime = null;
      });
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0] ?? '';
        const at = path.indexOf(DEV_PREFIX);
        if (at < 0) return next();
        const name = path.slice(at + DEV_PREFIX.length);
        const send = (/** @type {string | Buffer} */ body, /** @type {string} */ type) => {
          res.setHeader('Content-Type', type);
          res.setHeader('Cache-Control', 'no-store');
          res.end(body);
        };
        if (name === 'sandbox-runtime.js') {
          devRuntimeCode().then(
            (code) => send(code, 'text/javascript'),
            (e) => {
              res.statusCode = 500;
              send(`sandbox runtime build failed: ${e.message}`, 'text/plain');
            },
          );
          return;
        }
        const file = Object.values(ORT_FILES).find((f) => f === name);
        if (!file) return next();
        send(readFileSync(join(ortDist, file)), file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
      });
    },
  };
}
