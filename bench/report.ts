// Shared by the benchmarks: machine description and writing one section of docs/benchmarks.md.
import { cpus, totalmem, platform, release } from 'node:os';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview } from 'vite';

export function machine(): string {
  const c = cpus();
  return [
    `${c.length} × ${c[0]?.model ?? 'unknown CPU'}`,
    `${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM`,
    `${platform()} ${release()}`,
    `Node ${process.version} (V8 ${process.versions.v8})`,
  ].join(', ');
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Time `fn` (after one warm-up) `repeats` times; the median in ms. */
export function timeMs(fn: () => unknown, repeats: number): number {
  fn();
  const ts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/** Replace (or append) the section between `<!-- bench:name -->` markers in docs/benchmarks.md. */
export function writeSection(name: string, markdown: string): void {
  const file = join(import.meta.dirname, '..', 'docs', 'benchmarks.md');
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  let doc = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nFigures are ratios against a reference measured in the same run on the same inputs. Regenerate with the commands in each section.\n';
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  doc = i >= 0 && j > i ? doc.slice(0, i) + block + doc.slice(j + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, doc);
}

/**
 * A production build of the app in a temporary folder, served by `vite preview` (with its COOP/COEP headers) on
 * 127.0.0.1:`port`. `close()` stops the server and deletes the build.
 */
export async function servePreviewBuild(port: number, name: string): Promise<{ close(): Promise<void> }> {
  const repo = join(import.meta.dirname, '..');
  const configFile = join(repo, 'vite.config.ts');
  const dist = mkdtempSync(join(tmpdir(), `algobox-${name}-dist-`));
  await build({ root: repo, configFile, logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
  const server = await preview({ root: repo, configFile, logLevel: 'warn', build: { outDir: dist }, preview: { host: '127.0.0.1', port, strictPort: true } });
  return {
    async close() {
      await server.close();
      rmSync(dist, { recursive: true, force: true });
    },
  };
}
