// Types of sandboxRuntimePlugin.mjs (imported by vite.config.ts).
import type { Plugin } from 'vite';

/** Build workers/sandboxRuntime.ts into one classic script; returns the code and the files it was built from. */
export function buildSandboxRuntime(): Promise<{ code: string; files: string[] }>;

/** The virtual module "virtual:algobox-sandbox": URLs of the sandbox runtime and of ORT's CPU build. */
export function sandboxRuntimePlugin(): Plugin;
