// Drops anywhere in the window: an overlay while files are dragged over the page; on drop, the
// DataTransfer is captured at once (entries are only readable during the event), folders are walked
// recursively with their relative paths, and the files go to the one import path (useImport):
// bundles (.zip, or a folder with pyproject.toml at its root) are installed, everything else imported.
// Also shows the import reports (ImportStatus) for drops and the Import button alike.
import { useEffect, useRef, useState } from 'react';
import { collectDrop, dragHasFiles, snapshotDataTransfer } from './dropEntries';
import { ImportStatus } from './ImportStatus';
import type { ImportLayout } from '../../api';
import { useImportActions, useImportLayout } from './useImport';
import './datasets.css';

/** What the overlay says multi-page files become under each layout (chosen beside the Import button). */
const LAYOUT_TEXT: Record<ImportLayout, string> = { auto: 'stack, or one volume above 256 MiB', images: 'stack of images', volume: 'one volume' };

export function GlobalDropZone() {
  const { handleDrop } = useImportActions();
  const [layout] = useImportLayout();
  const [over, setOver] = useState(false);
  // The latest handler, for window listeners registered once.
  const dropRef = useRef(handleDrop);
  useEffect(() => {
    dropRef.current = handleDrop;
  }, [handleDrop]);

  useEffect(() => {
    // dragenter/dragleave fire for every element crossed: count them to know when the drag leaves the window.
    let depth = 0;
    const onEnter = (e: DragEvent) => {
      if (!dragHasFiles(e.dataTransfer)) return;
      e.preventDefault();
      depth++;
      setOver(true);
    };
    const onOver = (e: DragEvent) => {
      if (!dragHasFiles(e.dataTransfer)) return;
      // Needed for the drop to be allowed at all.
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const onLeave = (e: DragEvent) => {
      if (!dragHasFiles(e.dataTransfer)) return;
      depth = Math.max(0, depth - 1);
      // relatedTarget is unreliable for drag events (often null between elements, and the next
      // element's dragenter comes first), so: the count, or a pointer that has left the window.
      const outside = e.clientX <= 0 || e.clientY <= 0 || e.clientX >= window.innerWidth || e.clientY >= window.innerHeight;
      if (depth === 0 || outside) {
        depth = 0;
        setOver(false);
      }
    };
    const onDrop = (e: DragEvent) => {
      depth = 0;
      setOver(false);
      // Elements that handle drops themselves (text fields, other panels' drop targets) call preventDefault.
      if (e.defaultPrevented || !e.dataTransfer) return;
      const snap = snapshotDataTransfer(e.dataTransfer);
      if (!snap.entries.length && !snap.files.length) return;
      e.preventDefault();
      void (async () => {
        const { items, problems } = await collectDrop(snap);
        await dropRef.current(items, problems);
      })();
    };
    // Without a handler a file dropped beside the target would make the browser navigate to it.
    const onWindowDrop = (e: DragEvent) => {
      if (dragHasFiles(e.dataTransfer)) e.preventDefault();
    };
    const onEnd = () => {
      depth = 0;
      setOver(false);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    window.addEventListener('drop', onWindowDrop);
    window.addEventListener('dragend', onEnd);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
      window.removeEventListener('drop', onWindowDrop);
      window.removeEventListener('dragend', onEnd);
    };
  }, []);

  return (
    <>
      {over && (
        <div className="ds-drop-overlay" data-testid="drop-overlay" aria-hidden="true">
          <div className="ds-drop-card">
            <div className="ds-drop-icon">⬇</div>
            <div className="ds-drop-title">Drop images, folders or algorithm bundles</div>
            <div className="muted">
              PNG, JPEG, TIFF, NPY (multi-page → {LAYOUT_TEXT[layout]}) · a folder becomes a stack · .zip or a folder with pyproject.toml installs an algorithm
            </div>
          </div>
        </div>
      )}
      <ImportStatus />
    </>
  );
}
