// A button that picks label image files (PNG, TIFF, NPY of integer object ids) and imports them as
// labels: "Import labels…" under the Datasets list (`as: 'labels'`) and an image viewer's "Add labels from
// file…" (`labelsOf` = that image; the new labels are then shown over it).
import { useRef } from 'react';
import { filesToItems } from './dropEntries';
import { useImportActions, type LabelChoice } from './useImport';

export interface LabelsPickerProps {
  text: string;
  title: string;
  labels: LabelChoice;
  testId: string;
  className?: string;
  multiple?: boolean;
}

export function LabelsPicker({ text, title, labels, testId, className, multiple = false }: LabelsPickerProps) {
  const { importItems } = useImportActions();
  const input = useRef<HTMLInputElement>(null);
  const onPick = (el: HTMLInputElement) => {
    const items = filesToItems(el.files ?? []);
    // Reset so that picking the same file again fires `change` again.
    el.value = '';
    if (items.length) void importItems(items, [], labels);
  };
  return (
    <>
      <button type="button" className={className} onClick={() => input.current?.click()} title={title}>
        {text}
      </button>
      <input
        ref={input}
        type="file"
        multiple={multiple}
        accept="image/png,.png,.tif,.tiff,.npy"
        className="sr-only"
        tabIndex={-1}
        aria-hidden="true"
        data-testid={testId}
        onChange={(e) => onPick(e.currentTarget)}
      />
    </>
  );
}
