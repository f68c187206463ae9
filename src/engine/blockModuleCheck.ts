// A block's module text checked at install, before anything is stored: it must parse as an ES module
// and export the algorithm class (`export class Algorithm` or a default export), as the block host
// will look for it. Module code is never run here.
import type { Export } from 'es-module-lexer';
import { thrownMessage } from '../core/describeValue';

/** Why `source` cannot be a block's module (naming the block), or null when it can. */
export async function blockModuleProblem(source: string, blockName: string): Promise<string | null> {
  // The module lexer loads with the first block checked (not at start-up).
  const lexer = await import('es-module-lexer');
  await lexer.init();
  let exports: readonly Export[];
  try {
    [, exports] = lexer.parse(source, `${blockName}.js`);
  } catch (e) {
    return `block '${blockName}': its module is not a valid ES module (${thrownMessage(e)})`;
  }
  const names = exports.flatMap((x) => (x.type === 'reexport-all' ? [] : [x.name]));
  if (!names.includes('Algorithm') && !names.includes('default')) {
    return `block '${blockName}': its module must export the algorithm class as \`export class Algorithm\` or a default export; it exports ${names.length ? names.map((n) => `'${n}'`).join(', ') : 'nothing'}`;
  }
  return null;
}
