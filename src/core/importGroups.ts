// How the single-image files of one dropped folder are grouped (the import, src/engine/importFiles.ts):
// a stack holds images of one shape and dtype only (every run over a stack needs that), so a folder
// becomes ONE stack when its images agree, and otherwise a stack per group of 2+ equal images with the
// rest as separate datasets, said in a note that names the files. Files at the drop's root are never
// grouped. Pure: the importer hands over each file's name, shape and dtype.

/** One single-image file of a folder: its name and its image's shape and dtype. */
export interface GroupMember {
  name: string;
  shape: readonly number[];
  dtype: string;
}

export interface FolderGroups {
  /** Stacks to make: a name and the indices of their members (in the order given). */
  stacks: { name: string; members: number[] }[];
  /** Indices of the members stored as separate datasets. */
  loose: number[];
  /** What happened, for the import report, when the folder did not become one stack; null otherwise. */
  note: string | null;
}

/** "64×64 uint8". */
export const shapeLabel = (m: Pick<GroupMember, 'shape' | 'dtype'>): string => `${m.shape.join('×')} ${m.dtype}`;

/** At most this many file names are listed per part of a note (then "and N more"). */
const NAMES_SHOWN = 6;

function nameList(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_SHOWN).join(', ');
  return names.length > NAMES_SHOWN ? `${shown} and ${names.length - NAMES_SHOWN} more` : shown;
}

/**
 * Group a folder's single images. `folder` is the folder's path ('' for the drop's root: no stack);
 * `suffix` is added to stack names (" · alpha" for the transparency datasets). With `quiet`, no note
 * (the alpha datasets follow their images; the images' note says enough).
 */
export function groupFolder(folder: string, members: readonly GroupMember[], suffix = '', quiet = false): FolderGroups {
  const all = members.map((_, i) => i);
  if (folder === '' || members.length < 2) return { stacks: [], loose: all, note: null };
  const base = folder.slice(folder.lastIndexOf('/') + 1) + suffix;
  const groups = new Map<string, number[]>();
  members.forEach((m, i) => {
    const key = shapeLabel(m);
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  if (groups.size === 1) return { stacks: [{ name: base, members: all }], loose: [], note: null };
  const many = [...groups.values()].filter((g) => g.length >= 2);
  const stacks = many.map((g) => ({ name: many.length === 1 ? base : `${base} · ${shapeLabel(members[g[0]!]!)}`, members: g }));
  const loose = [...groups.values()].filter((g) => g.length < 2).flat();
  loose.sort((a, b) => a - b);
  if (quiet) return { stacks, loose, note: null };
  const parts = stacks.map(
    (s) => `stack “${s.name}” of ${s.members.length} (${shapeLabel(members[s.members[0]!]!)}): ${nameList(s.members.map((i) => members[i]!.name))}`,
  );
  if (loose.length)
    parts.push(`separate dataset${loose.length === 1 ? '' : 's'}: ${nameList(loose.map((i) => `${members[i]!.name} (${shapeLabel(members[i]!)})`))}`);
  const note = `its ${members.length} images are not all of one shape and dtype (${groups.size} kinds), so the folder was not made one stack. Imported as ${parts.join('; ')}.`;
  return { stacks, loose, note };
}
