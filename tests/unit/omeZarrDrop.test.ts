// A dropped OME-Zarr folder reaches the import whole: the drop walk skips dot files as clutter, but not
// Zarr v2's metadata files (.zattrs, .zgroup, .zarray, .zmetadata), without which it is no image.
import { describe, expect, it } from 'vitest';
import { filesToItems, isJunk } from '../../src/app/datasets/dropEntries';

describe('dropped OME-Zarr folders', () => {
  it("keeps Zarr v2's metadata files and still skips other dot files", () => {
    expect(['.zattrs', '.zgroup', '.zarray', '.zmetadata'].map(isJunk)).toEqual([false, false, false, false]);
    expect(['.DS_Store', '.hidden', '.zattrs~', 'Thumbs.db'].map(isJunk)).toEqual([true, true, true, true]);
    const f = (name: string, path: string) => Object.assign(new File([new Uint8Array(1)], name), { webkitRelativePath: path });
    const items = filesToItems([
      f('.zattrs', 'cells.zarr/.zattrs'),
      f('.zarray', 'cells.zarr/0/.zarray'),
      f('0.0', 'cells.zarr/0/0.0'),
      f('.DS_Store', 'cells.zarr/.DS_Store'),
    ]);
    expect(items.map((it) => it.path)).toEqual(['cells.zarr/.zattrs', 'cells.zarr/0/.zarray', 'cells.zarr/0/0.0']);
  });
});
