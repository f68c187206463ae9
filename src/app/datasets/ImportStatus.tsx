// Import and bundle-install reports: a progress bar while a big import runs (files done, and bytes
// read when a large NPY or TIFF is read in pieces) with a Cancel button, then the summary with every
// file that could not be read, and warnings (what was imported otherwise than asked or not kept, by
// file). Reports close themselves after a while — successful ones sooner, ones with failures or
// warnings or of a cancelled import later; never while the pointer or focus is on them — or with ✕.
import { useQueryClient } from '@tanstack/react-query';
import { useAutoDismiss } from '../useAutoDismiss';
import { bytesProgress } from './format';
import { dismissJob, useJobs, type Job } from './useImport';

const AUTO_CLOSE_MS = 12_000;
/** Reports with failures, or of a cancelled import: longer, to read the list. */
const AUTO_CLOSE_LONG_MS = 30_000;
/** A report with warnings (something not kept, a folder not made one stack): a minute, to be read. */
const AUTO_CLOSE_WARNED_MS = 60_000;

export function ImportStatus() {
  const jobs = useJobs();
  if (!jobs.length) return null;
  return (
    <div className="ds-jobs" aria-label="Import reports">
      {jobs.map((j) => (
        <JobCard key={j.id} job={j} />
      ))}
    </div>
  );
}

function JobCard({ job }: { job: Job }) {
  const qc = useQueryClient();
  const { id, state } = job;
  const quiet = state === 'done' && !job.failures.length && !job.warnings.length;
  const ms = state === 'running' ? null : quiet ? AUTO_CLOSE_MS : job.warnings.length ? AUTO_CLOSE_WARNED_MS : AUTO_CLOSE_LONG_MS;
  const hold = useAutoDismiss(ms, () => dismissJob(qc, id), state);
  const p = job.progress;
  return (
    <section
      className={`ds-job panel is-${job.state}`}
      role={job.state === 'error' ? 'alert' : 'status'}
      aria-live={job.state === 'error' ? 'assertive' : 'polite'}
      data-testid="import-report"
      {...hold}
    >
      <div className="ds-job-head">
        <span className={`ds-job-title ${job.state === 'error' && !job.failures.length ? 'error-text' : ''}`}>{job.title}</span>
        {job.state === 'running' && job.cancel && (
          <button
            className="small"
            onClick={job.cancel}
            data-testid="import-cancel"
            title="Stop this import: the file being read is dropped; files already imported stay"
          >
            Cancel
          </button>
        )}
        {job.state !== 'running' && job.undo && (
          <button
            className="small"
            onClick={() => {
              dismissJob(qc, id);
              job.undo!.run();
            }}
          >
            {job.undo.text}
          </button>
        )}
        {job.state !== 'running' && (
          <button className="small" onClick={() => dismissJob(qc, id)} aria-label="Close this report">
            ✕
          </button>
        )}
      </div>
      {p && <JobProgress p={p} />}
      <JobLines lines={job.failures} label="Files that could not be read" listClass="ds-job-failures" itemClass="error-text" />
      <JobLines lines={job.warnings} label="Import warnings" listClass="ds-job-failures ds-job-warnings" itemClass="warn-text" />
      {job.notes.map((n, i) => (
        <p key={i} className="ds-job-note muted">
          {n}
        </p>
      ))}
    </section>
  );
}

/** A report's failures or warnings, one line each (nothing when there are none). */
function JobLines({ lines, label, listClass, itemClass }: { lines: readonly string[]; label: string; listClass: string; itemClass: string }) {
  if (!lines.length) return null;
  return (
    <ul className={listClass} aria-label={label}>
      {lines.map((line, i) => (
        <li key={i} className={itemClass}>
          {line}
        </li>
      ))}
    </ul>
  );
}

/** Bytes when a file is read in pieces (the bar follows them), else files. */
function JobProgress({ p }: { p: NonNullable<Job['progress']> }) {
  const b = p.bytes;
  const [now, max] = b ? [b.done, b.total] : [p.done, p.total];
  return (
    <div className="ds-job-progress">
      <div
        className="progress"
        role="progressbar"
        aria-label="Import progress"
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={now}
        aria-valuetext={b ? `${bytesProgress(b.done, b.total)} read` : `${p.done} of ${p.total} files`}
      >
        <div style={{ width: `${max ? (100 * now) / max : 0}%` }} />
      </div>
      <div className="ds-job-count muted">
        {b && (
          <span className="mono" data-testid="import-bytes">
            {bytesProgress(b.done, b.total)}
          </span>
        )}
        {(!b || p.total > 1) && (
          <span className="mono">
            {p.done}/{p.total}
          </span>
        )}{' '}
        <span className="ds-job-current" title={p.current}>
          {p.current}
        </span>
      </div>
    </div>
  );
}
