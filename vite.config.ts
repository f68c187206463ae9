import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { sandboxRuntimePlugin } from './scripts/sandboxRuntimePlugin.mjs';

// Cross-origin isolation (COOP/COEP) gives SharedArrayBuffer and multi-threaded WASM
// in the page and in workers, in dev, preview and `npm start` alike.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // sandboxRuntimePlugin: the third-party bundle sandbox's worker script and ORT files (virtual:algobox-sandbox).
  plugins: [react(), sandboxRuntimePlugin()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
