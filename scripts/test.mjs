// `npm test`: install what is missing (npm packages, Debian's Chromium and Firefox ESR), then typecheck, lint (with
// import boundaries and cycles), unused exports, format check, unit and integration tests (Vitest),
// build, end-to-end tests (Playwright), the Firefox smoke suite (Vitest driving Debian's Firefox ESR
// with puppeteer-core, tests/firefox). Prints one closing summary line.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureChromium, ensureFirefox, ensureNodeModules, ensurePythonReferences, prepareAssets, root, run } from './ensure.mjs';

ensureNodeModules();
ensureChromium();
ensureFirefox();
ensurePythonReferences();
prepareAssets();

const steps = [];
const step = (name, cmd, args, env) => {
  console.log(`\n── ${name} ──`);
  const status = run(cmd, args, { env: { ...process.env, ...env } });
  steps.push({ name, ok: status === 0 });
  return status === 0;
};

const results = join(root, 'reports');
rmSync(results, { recursive: true, force: true });

step('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
// .oxlintrc.json: unused locals, import cycles and each folder's import boundaries (its README).
step('lint', 'npx', ['oxlint', '--deny-warnings', 'src', 'workers', 'tests', 'scripts', 'bench', 'tools']);
step('unused exports and files (knip)', 'npx', ['knip', '--no-progress']);
step('format check (oxfmt; `npm run format` applies it)', 'npx', ['oxfmt', '--check']);
// Both Vitest projects (unit and integration, vitest.config.ts) in one run and one report.
step('tests (vitest: unit, integration)', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(results, 'unit.json')}`]);
const built = step('build', 'npx', ['vite', 'build']);
if (built) step('end-to-end tests (playwright)', 'npx', ['playwright', 'test'], { CI: '1' });
// Its own Vitest config: serves dist/ with `vite preview` on the loopback and drives Firefox over WebDriver BiDi.
if (built)
  step('Firefox smoke tests (vitest + puppeteer-core, firefox-esr)', 'npx', [
    'vitest',
    'run',
    '--config',
    'tests/firefox/vitest.config.ts',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${join(results, 'firefox.json')}`,
  ]);

let passed = 0;
let failed = 0;
// Vitest's JSON reports: the unit/integration run and the Firefox suite.
for (const name of ['unit.json', 'firefox.json']) {
  const file = join(results, name);
  if (!existsSync(file)) continue;
  const u = JSON.parse(readFileSync(file, 'utf8'));
  passed += u.numPassedTests ?? 0;
  failed += u.numFailedTests ?? 0;
}
const e2eFile = join(results, 'e2e.json');
if (existsSync(e2eFile)) {
  const e = JSON.parse(readFileSync(e2eFile, 'utf8'));
  passed += e.stats?.expected ?? 0;
  failed += (e.stats?.unexpected ?? 0) + (e.stats?.flaky ?? 0);
}
const badSteps = steps.filter((s) => !s.ok).map((s) => s.name);
if (badSteps.length) console.log(`\nfailed steps: ${badSteps.join(', ')}`);
if (badSteps.length && failed === 0) failed = badSteps.length; // a failed typecheck/lint/build counts
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(badSteps.length ? 1 : 0);
