// Reading user data formats from files and typed JSON into one set `{ name: declaration }`: a file
// (or the text) holds a map of format names to declarations. Problems name the file.
import { thrownMessage } from '../../core/describeValue';

function parse(text: string, where: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not JSON (${thrownMessage(e)})`, { cause: e });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new Error(`${where}: expected an object { "<user>/<name>/<version>": { "field": "type", … }, … }`);
  return json as Record<string, unknown>;
}

/** The formats of every file and of the typed text (a name given twice: the last wins). */
export async function readFormatFiles(files: readonly { name: string; text(): Promise<string> }[], text: string): Promise<Record<string, unknown>> {
  const set: Record<string, unknown> = {};
  for (const f of files) Object.assign(set, parse(await f.text(), f.name));
  if (text.trim()) Object.assign(set, parse(text, 'the typed formats'));
  if (Object.keys(set).length === 0) throw new Error('Choose format files (.json) or type the formats.');
  return set;
}
