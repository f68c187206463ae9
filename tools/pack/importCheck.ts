// The import check `check_importable = true` asks for: load the packed entry module exactly as the
// runner host does (linkBundle: "algobox" and "algobox/image" are this process's SDK, imported
// through data: URLs in Node), then check that it exports a class Runner that extends BaseRunner
// and implements preprocess/inference/postprocess. Messages are the runner host's.
import * as sdk from '../../src/sdk/index';
import * as image from '../../src/sdk/image/index';
import { BaseRunner } from '../../src/sdk/BaseRunner';
import { BundleLinkError, linkBundle } from '../../src/sdk/moduleLoader';
import { missingMethods } from '../../workers/runnerHostApi';

export class ImportCheckError extends Error {}

/**
 * Import `source` (the packed entry module, at bundle path `entry`) and check its Runner. Runs the
 * module's top-level code in this process. Throws ImportCheckError.
 */
export async function checkImportable(source: string, entry: string): Promise<void> {
  let entryUrl: string;
  try {
    ({ entryUrl } = await linkBundle({ [entry]: source }, entry, {
      algobox: sdk as unknown as Record<string, unknown>,
      'algobox/image': image as unknown as Record<string, unknown>,
    }));
  } catch (e) {
    if (e instanceof BundleLinkError) throw new ImportCheckError(e.message);
    throw e;
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(/* @vite-ignore */ entryUrl)) as Record<string, unknown>;
  } catch (e) {
    const err = e as Error;
    throw new ImportCheckError(`Loading ${entry} failed: ${err?.message ?? String(e)}`);
  }
  const C = mod['Runner'];
  if (typeof C !== 'function') {
    throw new ImportCheckError(
      `${entry} must export a class named Runner (export class Runner extends Image2ImageRunner { … }); it exports ${Object.keys(mod).join(', ') || 'nothing'}.`,
    );
  }
  if (!((C as { prototype: unknown }).prototype instanceof BaseRunner)) {
    throw new ImportCheckError('Runner must extend BaseRunner or a typed runner (Image2ImageRunner, …) imported from "algobox".');
  }
  const missing = missingMethods(C as new () => BaseRunner);
  if (missing.length) {
    throw new ImportCheckError(
      `Can't instantiate the Runner: it does not implement ${missing.join(', ')}. Please implement the ${missing.join(', ')} method${missing.length > 1 ? 's' : ''} in the algorithm Runner class.`,
    );
  }
}
