// Top-bar import: a file picker and a folder picker (webkitdirectory), both into the same import path
// as drops (useImport). Picked folders keep their relative paths, so a folder becomes a stack.
import { useEffect, useRef } from 'react';
import { useReady } from '../state/queries';
import { filesToItems } from './dropEntries';
import { useImportActions } from './useImport';
import './datasets.css';

export function ImportButton() {
  const ready = useReady();
  if (!ready.isSuccess) {
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
      <button className="primary" onClick={() => filesRef.current?.click()} title="Import image files: PNG, JPEG, TIFF (multi-page → stack), NPY">
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
    </div>
  );
}
