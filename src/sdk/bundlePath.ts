// Bundle-relative paths, apart from the module linker (moduleLoader.ts) so that the engine can
// check paths without loading the module lexer at start-up.

export class BundleLinkError extends Error {}

/** Normalise a bundle-relative path: forward slashes, no '.', no leading '/', '..' resolved (and refused above the root). */
export function normalizePath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) throw new BundleLinkError(`Path '${p}' points outside the bundle.`);
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}
