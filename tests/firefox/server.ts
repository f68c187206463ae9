// Vitest global setup of the Firefox suite: serves the built app (ALGOBOX_DIST, default dist/) with
// `vite preview` on 127.0.0.1 (port ALGOBOX_FIREFOX_PORT, default 4183) for the whole run, and stops it
// afterwards. The test files read its address with inject('baseURL').
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
  }
}

const root = resolve(import.meta.dirname, '../..');

async function waitForServer(url: string, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`vite preview exited with code ${server.exitCode}:\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`vite preview did not answer at ${url} within 60 s:\n${output()}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dist = resolve(root, process.env.ALGOBOX_DIST ?? 'dist');
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`No built app in ${dist} (index.html missing): run \`npx vite build\` first.`);
  const port = Number(process.env.ALGOBOX_FIREFOX_PORT ?? 4183);
  const server = spawn(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', dist],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  server.stdout!.on('data', (b: Buffer) => (log += b.toString()));
  server.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForServer(url, server, () => log);
  } catch (e) {
    server.kill();
    throw e;
  }
  project.provide('baseURL', url);
  return async () => {
    if (server.exitCode !== null) return;
    const exited = new Promise((r) => server.once('exit', r));
    server.kill();
    await exited;
  };
}
