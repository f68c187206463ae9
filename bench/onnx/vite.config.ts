// Vite config of the bench/onnx page (root bench/onnx): cross-origin isolated like the app
// (COOP/COEP → SharedArrayBuffer → multi-threaded WASM), module workers, onnxruntime-web's .wasm
// emitted as a build asset (no wasmPaths, no CDN). Models are streamed from node_modules under
// /models/<path in node_modules>.onnx, and the runner's inputs (the natively computed SAM
// embedding) from the directory in $ALGOBOX_ONNX_BENCH_INPUTS under /inputs/*; nothing is copied
// into the repository.
import { defineConfig, type Connect, type Plugin } from 'vite';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename, join, normalize, resolve, sep } from 'node:path';

const here = import.meta.dirname;
const repo = resolve(here, '..', '..');

const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

function fileFor(url: string): string | null {
  const path = url.split('?')[0] ?? '';
  const model = /^\/models\/([A-Za-z0-9_@./-]+\.onnx)$/.exec(path)?.[1];
  if (model) {
    const modules = join(repo, 'node_modules');
    const file = normalize(join(modules, model));
    return file.startsWith(modules + sep) ? file : null;
  }
  const input = /^\/inputs\/([A-Za-z0-9_.-]+)$/.exec(path)?.[1];
  const dir = process.env.ALGOBOX_ONNX_BENCH_INPUTS;
  if (input && dir) return join(dir, basename(input));
  return null;
}

const serveBenchFiles: Connect.NextHandleFunction = (req, res, next) => {
  const file = fileFor(req.url ?? '');
  if (!file) return next();
  if (!existsSync(file)) {
    res.statusCode = 404;
    res.end(`not found: ${req.url} (${file})`);
    return;
  }
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Length', String(statSync(file).size));
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
  createReadStream(file).pipe(res);
};

const benchFiles: Plugin = {
  name: 'algobox-onnx-bench-files',
  configureServer: (server) => void server.middlewares.use(serveBenchFiles),
  configurePreviewServer: (server) => void server.middlewares.use(serveBenchFiles),
};

export default defineConfig({
  root: here,
  plugins: [benchFiles],
  server: { headers: isolationHeaders, host: '127.0.0.1', port: 4302, strictPort: true, fs: { allow: [repo] } },
  preview: { headers: isolationHeaders, host: '127.0.0.1', port: 4302, strictPort: true },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096, emptyOutDir: true },
  logLevel: 'warn',
});
