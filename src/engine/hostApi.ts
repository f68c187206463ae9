// The engine's side of the message boundary for one run (HostApi): the data calls (hostData.ts),
// the session cache (hostSessions.ts), and here fetchAsset, log, progress and stage. Every argument a
// worker sends is checked.
import type { HostApi } from '../core/protocol';
import { LOG_LEVELS } from '../core/records';
import { normalizePath } from '../sdk/bundlePath';
import { arrayCalls } from './hostArrays';
import { fetchDataCall, postDataCall, setOutputAxesCall } from './hostData';
import { MAX_MESSAGE_CHARS, describeValue } from './hostChecks';
import { transferred } from './hostRpc';
import { sessionCalls } from './hostSessions';
import { assertAlive, type LiveRun } from './liveRun';
import type { HostApiContext } from './hostContext';

function fetchAssetCall(run: LiveRun, ctx: HostApiContext): HostApi['fetchAsset'] {
  const { alg } = run;
  return async (path) => {
    assertAlive(run);
    if (typeof path !== 'string' || !path || path.length > 4096) throw new Error(`fetchAsset: path must be a non-empty string, got ${describeValue(path)}.`);
    let p: string;
    try {
      p = normalizePath(path);
    } catch {
      throw new Error(`fetchAsset: '${path}' points outside the bundle.`);
    }
    const key = Object.hasOwn(alg.assets, p) ? alg.assets[p] : undefined;
    if (!key) {
      const files = Object.keys(alg.assets);
      throw new Error(`fetchAsset: the bundle has no asset '${p}'. Its assets are: ${files.join(', ') || 'none'}.`);
    }
    const bytes = await ctx.store.readBlob(key);
    if (!bytes) throw new Error(`fetchAsset: the stored bytes of '${p}' are missing; re-install the algorithm.`);
    ctx.log(run, 'DEBUG', `Fetched asset ${p} (${bytes.byteLength} bytes).`);
    return transferred(bytes, [bytes.buffer as ArrayBuffer]);
  };
}

function statusCalls(run: LiveRun, ctx: HostApiContext): Pick<HostApi, 'log' | 'progress' | 'stage'> {
  return {
    log: async (level, message) => {
      if (run.finished) return;
      if (typeof level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(level)) {
        throw new Error(`Invalid logging level provided: ${JSON.stringify(typeof level === 'string' ? level.slice(0, 40) : describeValue(level))}.`);
      }
      if (typeof message === 'string' && message.length > MAX_MESSAGE_CHARS)
        throw new Error(`log: a message of ${message.length} characters; at most ${MAX_MESSAGE_CHARS} are accepted.`);
      ctx.log(run, level, typeof message === 'string' ? message : describeValue(message));
    },

    progress: async (p) => {
      assertAlive(run);
      if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error('Progress must be between 0 and 1.');
      // A group's progress is its share of the run's (one group: the same).
      const whole = run.batch.progressFrom + p * run.batch.progressSpan;
      if (whole > run.rec.progress) {
        run.rec.progress = whole;
        ctx.changed(run);
      }
    },

    stage: async (name, ms) => {
      assertAlive(run);
      if (name === 'running') {
        await ctx.setStatus(run, 'RUNNING');
        return;
      }
      if (name !== 'preprocess' && name !== 'inference' && name !== 'postprocess') throw new Error(`Unknown stage ${JSON.stringify(name)}.`);
      if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) run.rec.timings[name] = Math.round(((run.batch.timingsBefore[name] ?? 0) + ms) * 10) / 10;
      ctx.notify(run);
    },
  };
}

export function createHostApi(run: LiveRun, ctx: HostApiContext): HostApi {
  return {
    fetchData: fetchDataCall(run, ctx),
    postData: postDataCall(run, ctx),
    setOutputAxes: setOutputAxesCall(run, ctx),
    ...arrayCalls(run, ctx),
    fetchAsset: fetchAssetCall(run, ctx),
    ...statusCalls(run, ctx),
    ...sessionCalls(run, ctx),
  };
}
