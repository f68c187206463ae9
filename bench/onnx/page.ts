// bench/onnx page, driven by the Playwright runner. Each configuration lives in its own fresh module
// worker (as the app runs models), kept open so the runner can interleave timed runs of all
// configurations of a model:
//   benchOpen(id, config, timeoutMs) → cold figures (create, first run; warm-up done),
//   benchRun(id, timeoutMs)          → one timed run,
//   benchClose(id)                   → terminate the worker.
// A failure or timeout terminates the worker and resolves with the reason (and, for benchOpen,
// what was measured so far); nothing rejects.
import type { BenchConfig, BenchResult, WorkerReply, WorkerRequest } from './shared';

interface Slot {
  worker: Worker;
  partial: BenchResult;
  waiting: ((m: WorkerReply) => void) | null;
}

const slots = new Map<string, Slot>();

function close(id: string): void {
  slots.get(id)?.worker.terminate();
  slots.delete(id);
}

/** Send one request and wait for its reply ('opened', 'ran' or 'error'), or time out. */
function request(id: string, slot: Slot, msg: WorkerRequest, timeoutMs: number): Promise<WorkerReply> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      slot.waiting = null;
      close(id);
      resolve({ type: 'error', message: `timed out after ${Math.round(timeoutMs / 1000)} s` });
    }, timeoutMs);
    slot.waiting = (m) => {
      clearTimeout(timer);
      slot.waiting = null;
      resolve(m);
    };
    slot.worker.postMessage(msg);
  });
}

async function benchOpen(id: string, cfg: BenchConfig, timeoutMs: number): Promise<BenchResult> {
  close(id);
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  const slot: Slot = { worker, partial: { ok: false }, waiting: null };
  slots.set(id, slot);
  worker.onmessage = (e: MessageEvent<WorkerReply>) => {
    if (e.data.type === 'progress') slot.partial = e.data.partial;
    else slot.waiting?.(e.data);
  };
  worker.onerror = (e) => slot.waiting?.({ type: 'error', message: `worker error: ${e.message || 'failed to load'}` });
  const reply = await request(id, slot, { type: 'open', cfg }, timeoutMs);
  if (reply.type === 'opened' && reply.result.ok) return reply.result;
  close(id);
  const base = reply.type === 'opened' ? reply.result : slot.partial;
  const reason = reply.type === 'error' ? reply.message : (base.reason ?? 'failed');
  return { ...base, ok: false, reason, timedOut: reason.startsWith('timed out') };
}

async function benchRun(id: string, timeoutMs: number): Promise<{ ms?: number; reason?: string }> {
  const slot = slots.get(id);
  if (!slot) return { reason: `no open configuration "${id}"` };
  const reply = await request(id, slot, { type: 'run' }, timeoutMs);
  if (reply.type === 'ran') return { ms: reply.ms };
  close(id);
  return { reason: reply.type === 'error' ? reply.message : `unexpected reply ${reply.type}` };
}

Object.assign(window, { benchOpen, benchRun, benchClose: close, benchReady: true });
const status = document.getElementById('status');
if (status) status.textContent = `ready; crossOriginIsolated=${String(window.crossOriginIsolated)}`;
