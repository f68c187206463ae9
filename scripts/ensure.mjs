// Installs what the two README commands need, using only Node built-ins
// (this file runs before node_modules exists).
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function mustRun(cmd, args, opts) {
  const status = run(cmd, args, opts);
  if (status !== 0) {
    console.error(`algobox: '${cmd} ${args.join(' ')}' failed with exit code ${status}`);
    process.exit(status);
  }
}

/**
 * npm packages, when node_modules is missing or older than package-lock.json. The lock is complete
 * (it lists every optional platform package, e.g. oxlint's and oxfmt's bindings for other systems),
 * so `npm install` keeps the locked versions and leaves package-lock.json untouched, and `npm ci`
 * works on a fresh clone too. `npm install` rather than `npm ci` here because `npm ci` first deletes
 * node_modules, which would throw away a warm install each time the lock changes.
 */
export function ensureNodeModules() {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
  if (!stale) return;
  console.log('algobox: installing npm packages…');
  mustRun('npm', ['install', '--no-audit', '--no-fund']);
}

/** Install a Debian package with apt-get (retrying after `apt-get update`); false when that fails. */
function aptInstall(pkg) {
  const sudo = process.getuid && process.getuid() === 0 ? [] : ['sudo'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => (sudo.length ? run('sudo', ['apt-get', ...args], { env }) : run('apt-get', args, { env }));
  return apt(['install', '-y', pkg]) === 0 || (apt(['update']) === 0 && apt(['install', '-y', pkg]) === 0);
}

/** Debian's Chromium for Playwright; never a browser download. */
export function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return;
  console.log("algobox: /usr/bin/chromium is missing; installing Debian's chromium package…");
  if (!aptInstall('chromium')) {
    console.error('algobox: could not install chromium with apt-get (run as root or with sudo).');
    process.exit(1);
  }
}

/** Debian's Firefox ESR for the Firefox smoke suite (tests/firefox, driven by puppeteer-core); never a browser download. */
export function ensureFirefox() {
  if (existsSync('/usr/bin/firefox-esr')) return;
  console.log("algobox: /usr/bin/firefox-esr is missing; installing Debian's firefox-esr package…");
  if (!aptInstall('firefox-esr')) {
    console.error('algobox: could not install firefox-esr with apt-get (run as root or with sudo).');
    process.exit(1);
  }
}

/**
 * Debian's Python packages the tests use as independent references (python3-zarr reads the chunks
 * algobox writes; python3-tifffile writes the multi-page TIFFs streaming import reads). A machine where
 * apt-get cannot install them runs those tests as skipped, and says so.
 */
export function ensurePythonReferences() {
  const missing = [
    ['zarr', 'python3-zarr'],
    ['tifffile', 'python3-tifffile'],
  ].filter(([mod]) => spawnSync('/usr/bin/python3', ['-c', `import ${mod}`], { stdio: 'ignore' }).status !== 0);
  for (const [, pkg] of missing) {
    console.log(`algobox: installing Debian's ${pkg} (a reference the tests read or write files with)…`);
    if (!aptInstall(pkg)) console.warn(`algobox: could not install ${pkg}; the tests that need it are skipped.`);
  }
}

/** Model files and other generated assets that the build copies from node_modules. */
export function prepareAssets() {
  const script = join(root, 'scripts', 'prepare-assets.mjs');
  if (existsSync(script)) mustRun(process.execPath, [script]);
}
