import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { sandboxRuntimePlugin } from './scripts/sandboxRuntimePlugin.mjs';

// Cross-origin isolation (COOP/COEP) gives SharedArrayBuffer and multi-threaded WASM
// in the page and in workers, in dev, preview and `npm start` alike. The service worker adds the
// same two headers to what it serves from its cache (src/app/pwa/sw.ts).
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Largest file the service worker precaches: the ORT WebGPU wasm (28 MB) and SAM's encoder (28 MB) fit. */
const PRECACHE_MAX_BYTES = 40 * 1024 * 1024;

// Installable and offline (docs/offline.md): a web app manifest and a service worker of our own
// (injectManifest: workbox-precaching with the build's file list), registered by
// src/app/pwa/registerServiceWorker.ts in production builds only.
const pwa = VitePWA({
  strategies: 'injectManifest',
  srcDir: 'src/app/pwa',
  filename: 'sw.ts',
  injectRegister: false,
  registerType: 'prompt',
  manifest: {
    name: 'algobox',
    short_name: 'algobox',
    description: 'Image algorithms that run in the browser, offline: built-in models, your data in the browser’s storage.',
    start_url: '.',
    scope: '.',
    display: 'standalone',
    background_color: '#0f1216',
    theme_color: '#0f1216',
    icons: [
      { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
    ],
  },
  injectManifest: {
    // The app, the ORT runtimes and the built-in bundles with their model files (not source maps).
    globPatterns: ['**/*.{html,js,mjs,css,wasm,json,webmanifest,toml,md,onnx,npy,png,svg,tif,tiff}'],
    globIgnores: ['**/*.map'],
    maximumFileSizeToCacheInBytes: PRECACHE_MAX_BYTES,
    rollupFormat: 'iife',
  },
  devOptions: { enabled: false },
});

export default defineConfig({
  // sandboxRuntimePlugin: the third-party bundle sandbox's worker script and ORT files (virtual:algobox-sandbox).
  plugins: [react(), sandboxRuntimePlugin(), pwa],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
