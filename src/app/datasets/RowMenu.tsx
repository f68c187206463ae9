// A row's "⋯" actions menu: a button that opens a small menu (fixed-positioned, so the list's scroll
// box does not clip it). Keyboard: Enter/Space/ArrowDown open it on the first item, arrows move,
// Home/End jump, Esc closes and returns focus to the button, Tab closes.
import { useEffect, useId, useRef, useState, type CSSProperties } from 'react';

export interface MenuItem {
  label: string;
  onSelect(): void;
  disabled?: boolean;
  /** Tooltip: what the action does (e.g. how floats are written to PNG) or why it is disabled. */
  title?: string;
  danger?: boolean;
  /** Keyboard shortcut shown on the right ("F2", "Del"). */
  hint?: string;
  testId?: string;
}

export function RowMenu({ label, items, tabIndex = 0 }: { label: string; items: MenuItem[]; tabIndex?: number }) {
  const [open, setOpen] = useState(false);
  const [pos, setPos] = useState<CSSProperties>({ position: 'fixed', visibility: 'hidden' });
  const btn = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const id = useId();

  const close = (focusButton: boolean) => {
    setOpen(false);
    if (focusButton) btn.current?.focus();
  };

  // Placed from the button's rect before the menu renders (measuring after would see the menu in the layout).
  const place = (): boolean => {
    const r = btn.current?.getBoundingClientRect();
    if (!r) return false;
    // Below the button when the menu (about 28 px an item) fits there, else above it.
    const below = r.bottom + Math.max(220, items.length * 28 + 16) < window.innerHeight;
    setPos({
      position: 'fixed',
      right: Math.max(4, window.innerWidth - r.right),
      ...(below ? { top: r.bottom + 2 } : { bottom: window.innerHeight - r.top + 2 }),
    });
    return r.bottom > 0 && r.top < window.innerHeight;
  };
  const openMenu = () => {
    place();
    setOpen(true);
  };

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus({ preventScroll: true });
    const onDown = (e: PointerEvent) => {
      if (!menu.current?.contains(e.target as Node) && !btn.current?.contains(e.target as Node)) setOpen(false);
    };
    // A scroll that moves the button (the list revealing the focused row, the page) moves the menu
    // with it, and closes it once the button is out of sight; other panels scrolling (a run's log
    // following new lines) do not concern it.
    const onScroll = (e: Event) => {
      const t = e.target;
      if ((t === document || (t instanceof Node && t.contains(btn.current))) && !place()) setOpen(false);
    };
    const onResize = () => setOpen(false);
    document.addEventListener('pointerdown', onDown, true);
    window.addEventListener('scroll', onScroll, true);
    window.addEventListener('resize', onResize);
    return () => {
      document.removeEventListener('pointerdown', onDown, true);
      window.removeEventListener('scroll', onScroll, true);
      window.removeEventListener('resize', onResize);
    };
  }, [open]);

  const onMenuKey = (e: React.KeyboardEvent) => {
    e.stopPropagation();
    const els = Array.from(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);
    const i = els.indexOf(document.activeElement as HTMLButtonElement);
    const go = (k: number) => els[(k + els.length) % els.length]?.focus();
    if (e.key === 'ArrowDown') go(i + 1);
    else if (e.key === 'ArrowUp') go(i - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(els.length - 1);
    else if (e.key === 'Escape') close(true);
    else if (e.key === 'Tab') {
      setOpen(false);
      return;
    } else return;
    e.preventDefault();
  };

  return (
    <>
      <button
        ref={btn}
        type="button"
        className="small ds-menu-button"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        tabIndex={tabIndex}
        data-testid="row-menu"
        onClick={(e) => {
          e.stopPropagation();
          if (open) setOpen(false);
          else openMenu();
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            e.stopPropagation();
            openMenu();
          } else if (e.key === 'Enter' || e.key === ' ') {
            // Handled by the click; keep the row from treating it as its own shortcut.
            e.stopPropagation();
          }
        }}
      >
        ⋯
      </button>
      {open && (
        <div ref={menu} id={id} role="menu" aria-label={label} className="ds-menu panel" style={pos} onKeyDown={onMenuKey} onClick={(e) => e.stopPropagation()}>
          {items.map((it) => (
            <button
              key={it.label}
              type="button"
              role="menuitem"
              className={`ds-menu-item ${it.danger ? 'is-danger' : ''}`}
              // aria-disabled keeps the item focusable, so its tooltip says why it is unavailable.
              aria-disabled={it.disabled ? 'true' : undefined}
              title={it.title}
              data-testid={it.testId}
              tabIndex={-1}
              onClick={() => {
                if (it.disabled) return;
                close(true);
                it.onSelect();
              }}
            >
              <span>{it.label}</span>
              {it.hint && <kbd className="muted">{it.hint}</kbd>}
            </button>
          ))}
        </div>
      )}
    </>
  );
}
