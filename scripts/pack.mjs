#!/usr/bin/env node
// `npm run pack -- <algorithm folder> [-o out.zip]` and `npx algobox-pack …`: packs an algorithm
// folder into an installable zip. The implementation is TypeScript (tools/pack/, importing the app's
// own manifest validator, SDK and install checks from src/): this script compiles it with esbuild
// into a temporary .mjs under node_modules/.cache/algobox-pack/ and runs it.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error("algobox-pack: esbuild is not installed; run 'npm install' in the algobox folder first.");
  process.exit(1);
}

const cacheDir = join(root, 'node_modules', '.cache', 'algobox-pack');
mkdirSync(cacheDir, { recursive: true });
const compiled = join(cacheDir, `pack-${process.pid}-${Date.now()}.mjs`);
let cli;
try {
  await esbuild.build({
    entryPoints: [join(root, 'tools', 'pack', 'cli.ts')],
    outfile: compiled,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // npm packages (esbuild, fflate, smol-toml, zod, …) are imported from node_modules at run time.
    packages: 'external',
    logLevel: 'error',
  });
  cli = await import(pathToFileURL(compiled).href);
} finally {
  rmSync(compiled, { force: true });
}
process.exitCode = await cli.main(process.argv.slice(2));
