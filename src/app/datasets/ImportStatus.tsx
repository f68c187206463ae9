// Import and bundle-install reports: a progress bar (n/total, current file) while a big import runs,
// then the summary with every file that could not be read. Successful reports close themselves after
// a while; reports with failures stay until closed.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { dismissJob, useJobs, type Job } from './useImport';

const AUTO_CLOSE_MS = 12_000;

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
  useEffect(() => {
    if (state !== 'done') return;
    const t = setTimeout(() => dismissJob(qc, id), AUTO_CLOSE_MS);
    return () => clearTimeout(t);
  }, [qc, id, state]);
  const p = job.progress;
  return (
    <section
      className={`ds-job panel is-${job.state}`}
      role={job.state === 'error' ? 'alert' : 'status'}
      aria-live={job.state === 'error' ? 'assertive' : 'polite'}
      data-testid="import-report"
    >
      <div className="ds-job-head">
        <span className={`ds-job-title ${job.state === 'error' && !job.failures.length ? 'error-text' : ''}`}>{job.title}</span>
        {job.state !== 'running' && (
          <button className="small" onClick={() => dismissJob(qc, id)} aria-label="Close this report">
            ✕
          </button>
        )}
      </div>
      {p && (
        <div className="ds-job-progress">
          <div
            className="progress"
            role="progressbar"
            aria-label="Import progress"
            aria-valuemin={0}
            aria-valuemax={p.total}
            aria-valuenow={p.done}
            aria-valuetext={`${p.done} of ${p.total} files`}
          >
            <div style={{ width: `${p.total ? (100 * p.done) / p.total : 0}%` }} />
          </div>
          <div className="ds-job-count muted">
            <span className="mono">
              {p.done}/{p.total}
            </span>{' '}
            <span className="ds-job-current" title={p.current}>
              {p.current}
            </span>
          </div>
        </div>
      )}
      {job.failures.length > 0 && (
        <ul className="ds-job-failures" aria-label="Files that could not be read">
          {job.failures.map((f, i) => (
            <li key={i} className="error-text">
              {f}
            </li>
          ))}
        </ul>
      )}
      {job.notes.map((n, i) => (
        <p key={i} className="ds-job-note muted">
          {n}
        </p>
      ))}
    </section>
  );
}
