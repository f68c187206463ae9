// A run's log: time, level and message per line; level filter checkboxes (DEBUG hidden by
// default); follows new lines while scrolled to the bottom.
import { useLayoutEffect, useRef } from 'react';
import { LOG_LEVELS, type LogLevel, type LogLine } from '../../core/records';
import { formatClock } from './format';

export type LevelFilter = Record<LogLevel, boolean>;
export const DEFAULT_LEVELS: LevelFilter = { DEBUG: false, INFO: true, WARNING: true, ERROR: true };

export function LogView({ lines, levels, onLevels }: { lines: LogLine[]; levels: LevelFilter; onLevels(l: LevelFilter): void }) {
  const boxRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const shown = lines.filter((l) => levels[l.level] ?? true);
  const counts = Object.fromEntries(LOG_LEVELS.map((lv) => [lv, lines.filter((l) => l.level === lv).length])) as Record<LogLevel, number>;
  const hidden = lines.length - shown.length;

  useLayoutEffect(() => {
    const el = boxRef.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [shown.length, levels]);

  return (
    <div className="run-log" data-testid="run-log">
      <div className="run-log-head row">
        <h2>Log</h2>
        <div className="grow" />
        <fieldset className="run-log-levels">
          <legend className="sr-only">Show log levels</legend>
          {LOG_LEVELS.map((lv) => (
            <label key={lv} className={`run-log-level lvl-${lv}`}>
              <input type="checkbox" checked={levels[lv]} onChange={(e) => onLevels({ ...levels, [lv]: e.target.checked })} data-testid={`log-level-${lv}`} />
              {lv}
              <span className="muted"> {counts[lv]}</span>
            </label>
          ))}
        </fieldset>
      </div>
      <div
        ref={boxRef}
        className="run-log-lines"
        role="log"
        aria-label="Run log"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        }}
      >
        {shown.length === 0 ? (
          <p className="muted run-log-empty">
            {lines.length === 0 ? 'No log lines yet.' : `${hidden} ${hidden === 1 ? 'line is' : 'lines are'} hidden by the level filter.`}
          </p>
        ) : (
          shown.map((l, i) => (
            <div key={i} className={`run-log-line lvl-${l.level}`} data-testid="log-line" data-level={l.level}>
              <time className="mono muted" dateTime={l.time}>
                {formatClock(l.time)}
              </time>
              <span className="run-log-lvl mono">{l.level}</span>
              <span className="run-log-msg">{l.message}</span>
            </div>
          ))
        )}
      </div>
    </div>
  );
}
