#!/usr/bin/env node
// Build step for the built-in bundles (run by `npm start` and `npm test` before the build):
// 1. copies every asset a bundle declares with a `source` in [tool.algobox.assets] from node_modules
//    into the bundle folder (git-ignored), refusing when the file's SHA-256 is not the declared one;
// 2. generates the self-test inputs and their expected outputs (scripts/selftest-fixtures.mjs): the
//    expected outputs are computed by native onnxruntime-node, so a self-test checks that the browser
//    (WASM or WebGPU) reproduces the native result within the bundle's tolerances.
// Idempotent and quick when everything is in place.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { FIXTURES } from './selftest-fixtures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundlesDir = join(root, 'public', 'bundles');

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function fail(message) {
  console.error(`prepare-assets: ${message}`);
  process.exit(1);
}

const index = JSON.parse(readFileSync(join(bundlesDir, 'index.json'), 'utf8'));
let copied = 0;
for (const entry of index) {
  const dir = join(bundlesDir, entry.path);
  const manifest = parse(readFileSync(join(dir, 'pyproject.toml'), 'utf8'));
  const assets = manifest.tool?.algobox?.assets ?? {};
  for (const [path, decl] of Object.entries(assets)) {
    if (!decl.source) continue;
    const dest = join(dir, path);
    const want = String(decl.sha256).toLowerCase();
    if (existsSync(dest) && sha256(readFileSync(dest)) === want) continue;
    const src = join(root, 'node_modules', decl.source);
    if (!existsSync(src)) {
      fail(`${entry.name}: ${path} comes from node_modules/${decl.source}, which is missing. Run npm install (the package is a devDependency).`);
    }
    const bytes = readFileSync(src);
    const got = sha256(bytes);
    if (got !== want) {
      fail(`${entry.name}: node_modules/${decl.source} has SHA-256 ${got}, but pyproject.toml declares ${want} for ${path}. Refusing to copy it.`);
    }
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(src, dest);
    copied++;
    console.log(`prepare-assets: ${entry.name}/${path} ← node_modules/${decl.source} (${(bytes.length / 1e6).toFixed(1)} MB, SHA-256 verified)`);
  }
  const fixture = FIXTURES[entry.name];
  if (fixture) {
    try {
      const made = await fixture(dir);
      if (made) console.log(`prepare-assets: ${entry.name}: generated self-test files (${made}).`);
    } catch (e) {
      fail(`${entry.name}: could not generate the self-test files: ${e?.stack ?? e}`);
    }
  }
}
if (copied === 0) console.log('prepare-assets: bundle assets are in place.');
