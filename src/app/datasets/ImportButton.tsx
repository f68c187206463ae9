// Top-bar import: a file picker and a folder picker (webkitdirectory), both into the same import path
// as drops (useImport). Picked folders keep their relative paths, so a folder becomes a stack. Beside
// them, how multi-page files (multi-page TIFF, 3-D NPY) are imported, for pickers and drops alike.
import { useEffect, useRef } from 'react';
import { useUsable } from '../state/queries';
import { filesToItems } from './dropEntries';
import type { ImportLayout } from '../../api';
import { useImportActions, useImportLayout } from './useImport';
import { OpenUrlForm } from './remoteDatasets';
import './datasets.css';

export function ImportButton() {
  const usable = useUsable();
  if (!usable.isSuccess) {
    return (
      <button disabled title="Waiting for the engine to start">
        Import…
      </button>
    );
  }
  return <ImportPickers />;
}

function ImportPickers() {
  const { importItems } = useImportActions();
  const filesRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    // Not in React's attribute types; set on the element.
    if (folderRef.current) folderRef.current.webkitdirectory = true;
  }, []);

  const onPick = (input: HTMLInputElement) => {
    const items = filesToItems(input.files ?? []);
    // Reset so that picking the same files again fires `change` again.
    input.value = '';
    if (items.length) void importItems(items);
  };

  return (
    <div className="ds-import" role="group" aria-label="Import">
      <button className="primary" onClick={() => filesRef.current?.click()} title="Import image files: PNG, JPEG, TIFF, NPY (multi-page → stack or volume)">
        Import files…
      </button>
      <button onClick={() => folderRef.current?.click()} title="Import a folder: its images become one stack, in natural name order">
        Folder…
      </button>
      <input
        ref={filesRef}
        type="file"
        multiple
        accept="image/*,.tif,.tiff,.npy"
        className="sr-only"
        tabIndex={-1}
        aria-hidden="true"
        data-testid="import-files-input"
        onChange={(e) => onPick(e.currentTarget)}
      />
      <input
        ref={folderRef}
        type="file"
        multiple
        className="sr-only"
        tabIndex={-1}
        aria-hidden="true"
        data-testid="import-folder-input"
        onChange={(e) => onPick(e.currentTarget)}
      />
      <OpenUrlForm />
      <LayoutChoice />
    </div>
  );
}

const LAYOUTS: { value: ImportLayout; label: string }[] = [
  { value: 'auto', label: 'auto' },
  { value: 'images', label: 'stack of images' },
  { value: 'volume', label: 'one volume' },
];

/** Multi-page files: a stack of 2-D images, one 3-D volume, or auto (a volume above 256 MiB). */
function LayoutChoice() {
  const [layout, setLayout] = useImportLayout();
  return (
    <label
      className="ds-import-layout muted"
      title="How a multi-page TIFF or a 3-D NPY is imported: one Image per page in a stack named after the file, or one Volume dataset (Z×Y×X, read and stored slice by slice). Auto: a volume when it is larger than 256 MiB. Applies to the pickers and to drops."
    >
      Multi-page files
      <select value={layout} onChange={(e) => setLayout(e.currentTarget.value as ImportLayout)} data-testid="import-layout">
        {LAYOUTS.map((l) => (
          <option key={l.value} value={l.value}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}
