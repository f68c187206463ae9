// pyproject.toml texts for the manifest tests (tests/unit/manifest.test.ts, parameterConditions.test.ts):
// a [project] and a [tool.compox] table with the fields that keep the algorithm-level warnings away, and
// the ManifestError a bad one raises.
import { ManifestError } from '../../../src/core/manifest';

export interface CompoxHead {
  name?: string;
  type?: string;
  tags?: readonly string[];
  description?: string;
}

/** [project] (name, version 1.0.0), then [tool.compox] with its algorithm type, tags and description, then `body` (TOML lines). */
export function compoxManifest(body = '', { name = 'algo', type = 'Generic', tags = ['t'], description = 'd' }: CompoxHead = {}): string {
  return `[project]\nname = "${name}"\nversion = "1.0.0"\n\n[tool.compox]\nalgorithm_type = "${type}"\ntags = ${JSON.stringify(tags)}\ndescription = "${description}"\n${body}\n`;
}

/** The ManifestError that `f` throws; any other outcome fails the test. */
export function manifestError(f: () => unknown): ManifestError {
  try {
    f();
  } catch (e) {
    if (e instanceof ManifestError) return e;
    throw e;
  }
  throw new Error('expected a ManifestError');
}
