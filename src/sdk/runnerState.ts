// Per-runner state and the attribute rules of the reference (compox.md §3.2), done with a Proxy:
// - attributes set while loadAssets runs are stored once, shared by every execution, and locked;
// - every execution gets its own runner instance, so attributes set in the constructor or during a
//   run are per-execution state, never seen by another execution of the same cached runner;
// - assigning (or deleting) a locked attribute during a run throws
//   "Attribute 'x' is locked and cannot be modified."; during construction it is silently ignored
//   so constructor defaults (`this.model = null`) never shadow a loaded asset.
import type { HostApi } from '../core/protocol';

/** What loadAssets produced, shared by all executions of one cached runner. */
export class SharedAssets {
  readonly values = new Map<PropertyKey, unknown>();
  readonly locked = new Set<PropertyKey>();
  loading: Promise<void> | null = null;
  loadCount = 0;
}

export type RunnerPhase = 'construct' | 'loadAssets' | 'run';

export interface RunnerInternals {
  shared: SharedAssets;
  device: 'cpu' | 'gpu';
  host: HostApi | null;
  phase: RunnerPhase;
  executionId: string | null;
}

const INTERNALS = new WeakMap<object, RunnerInternals>();
let constructing: Omit<RunnerInternals, 'phase'> | null = null;

/** Names a bundle can never assign. */
const READ_ONLY = new Set<PropertyKey>(['device', 'runnerContext', 'executionId']);

export function lockedError(prop: PropertyKey): Error {
  return new Error(`Attribute '${String(prop)}' is locked and cannot be modified.`);
}

function readOnlyError(prop: PropertyKey): Error {
  return new Error(`Attribute '${String(prop)}' is read-only.`);
}

const handler: ProxyHandler<object> = {
  get(target, prop, receiver) {
    const st = INTERNALS.get(target);
    if (st && st.shared.values.has(prop)) return st.shared.values.get(prop);
    return Reflect.get(target, prop, receiver);
  },
  has(target, prop) {
    const st = INTERNALS.get(target);
    return (st?.shared.values.has(prop) ?? false) || Reflect.has(target, prop);
  },
  set(target, prop, value) {
    const st = INTERNALS.get(target);
    if (!st) return Reflect.set(target, prop, value);
    if (READ_ONLY.has(prop)) throw readOnlyError(prop);
    if (st.phase === 'loadAssets') {
      st.shared.values.set(prop, value);
      st.shared.locked.add(prop);
      return true;
    }
    if (st.shared.locked.has(prop)) {
      if (st.phase === 'construct') return true;
      throw lockedError(prop);
    }
    return Reflect.set(target, prop, value);
  },
  defineProperty(target, prop, desc) {
    const st = INTERNALS.get(target);
    if (!st) return Reflect.defineProperty(target, prop, desc);
    if (READ_ONLY.has(prop)) throw readOnlyError(prop);
    if (st.phase === 'loadAssets' && 'value' in desc) {
      st.shared.values.set(prop, desc.value);
      st.shared.locked.add(prop);
      return true;
    }
    if (st.shared.locked.has(prop)) {
      if (st.phase === 'construct') return true;
      throw lockedError(prop);
    }
    return Reflect.defineProperty(target, prop, desc);
  },
  deleteProperty(target, prop) {
    const st = INTERNALS.get(target);
    if (st && READ_ONLY.has(prop)) throw readOnlyError(prop);
    if (st && st.shared.locked.has(prop)) throw lockedError(prop);
    return Reflect.deleteProperty(target, prop);
  },
};

/**
 * Called by BaseRunner's constructor: wraps the new instance in the attribute proxy and records its
 * internals. A runner constructed directly by user code (e.g. in its own tests) gets a private
 * SharedAssets and runs without an engine.
 */
export function adoptRunner(instance: object): object {
  const ctx = constructing ?? { shared: new SharedAssets(), device: 'cpu' as const, host: null, executionId: null };
  const st: RunnerInternals = { ...ctx, phase: 'construct' };
  INTERNALS.set(instance, st);
  const proxy = new Proxy(instance, handler);
  INTERNALS.set(proxy, st);
  return proxy;
}

export function internalsOf(runner: object): RunnerInternals {
  const st = INTERNALS.get(runner);
  if (!st) throw new Error('This object is not an algobox runner (construct it from a class that extends BaseRunner).');
  return st;
}

/** Construct a runner for the engine: the instance shares `shared` and talks to `host`. */
export function constructRunner<T extends object>(RunnerClass: new () => T, ctx: Omit<RunnerInternals, 'phase'>): T {
  constructing = ctx;
  let r: T;
  try {
    r = new RunnerClass();
  } finally {
    constructing = null;
  }
  const st = INTERNALS.get(r);
  if (!st) throw new Error('Runner must extend BaseRunner or a typed runner imported from "algobox".');
  st.phase = 'run';
  return r;
}

/** Run loadAssets on a fresh instance so everything it assigns is stored in `shared` and locked. */
export async function loadSharedAssets(RunnerClass: new () => object, ctx: Omit<RunnerInternals, 'phase'>): Promise<void> {
  const r = constructRunner(RunnerClass, ctx) as { loadAssets?: () => unknown };
  const st = internalsOf(r);
  st.phase = 'loadAssets';
  try {
    await r.loadAssets?.();
  } finally {
    st.phase = 'run';
    ctx.shared.loadCount++;
  }
}
