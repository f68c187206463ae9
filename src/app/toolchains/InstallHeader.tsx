// A list section's heading with an "Install …" toggle and its form (installed blocks, data formats).
import { useState, type ReactNode } from 'react';

/** `footer` follows the Install button inside the form (e.g. the outcome of the last install). */
export function InstallHeader(props: { title: string; action: string; onInstall: () => void; children: ReactNode; footer?: ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <div className="row">
        <h2>{props.title}</h2>
        <span className="grow" />
        <button type="button" className="small" aria-expanded={open} onClick={() => setOpen(!open)}>
          {props.action}
        </button>
      </div>
      {open && (
        <form
          className="tc-install"
          onSubmit={(e) => {
            e.preventDefault();
            props.onInstall();
          }}
        >
          {props.children}
          <button type="submit" className="primary small">
            Install
          </button>
          {props.footer}
        </form>
      )}
    </>
  );
}
