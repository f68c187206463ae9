// The engine's side of a port that bundle code can write to. Comlink's own `expose` must never face
// bundle code: it walks any property path the caller sends (GET/SET/APPLY on ['__proto__', …] or
// ['fetchData', 'constructor', …]) and deserialises proxies and errors into the page, so a
// malicious worker could pollute the page's prototypes or hand it callable proxies. `serveRpc`
// speaks the same wire format for the one thing a worker needs (APPLY of a named method, and
// RELEASE) and refuses everything else; `guardedEndpoint` filters the replies a worker sends to
// the engine's Comlink remote down to plain values and plain errors.
import type * as Comlink from 'comlink';
import { thrownMessage } from '../core/describeValue';

type Method = (...args: never[]) => unknown;

/** A value to send back with buffers to transfer (the RPC counterpart of Comlink.transfer). */
export interface Transferred<T> {
  readonly [TRANSFER]: ArrayBuffer[];
  readonly value: T;
}

const TRANSFER = Symbol('algobox.transfer');
const MAX_ID_LENGTH = 100;
const MAX_ARGS = 8;

/** Return `value` to the caller, transferring `buffers` (they are detached here afterwards). */
export function transferred<T>(value: T, buffers: ArrayBuffer[]): T {
  return { [TRANSFER]: buffers, value } as unknown as T;
}

function unwrap(result: unknown): { value: unknown; transfer: ArrayBuffer[] } {
  if (result && typeof result === 'object' && TRANSFER in result) {
    const t = result as unknown as Transferred<unknown>;
    return { value: t.value, transfer: t[TRANSFER] };
  }
  return { value: result, transfer: [] };
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The error a caller sees, in Comlink's wire format (a plain {message, name, stack}). */
function errorWire(e: unknown): { type: 'HANDLER'; name: 'throw'; value: { isError: true; value: { message: string; name: string; stack: string } } } {
  const err = e as { message?: unknown; name?: unknown; stack?: unknown } | null;
  const message = thrownMessage(e);
  const name = typeof err?.name === 'string' ? err.name : 'Error';
  return { type: 'HANDLER', name: 'throw', value: { isError: true, value: { message, name, stack: '' } } };
}

export interface RpcServerOptions {
  /** Most calls answered at once; more are refused at once (a worker flooding the engine). */
  maxInFlight?: number;
  /** Called for every message that is not a well-formed call (for diagnostics and tests). */
  onRejected?: (reason: string) => void;
}

/**
 * Answer Comlink `APPLY` calls of the named methods of `methods` on `port` (and `RELEASE`, which
 * closes it). Arguments must be plain (RAW) values; results and thrown errors go back as plain
 * values. Every other message is refused: with an error reply when it carries a usable id,
 * otherwise dropped. Returns a function that stops serving and closes the port.
 */
export function serveRpc(port: MessagePort, methods: Record<string, Method>, opts: RpcServerOptions = {}): () => void {
  const names = new Set(Object.keys(methods));
  const maxInFlight = opts.maxInFlight ?? 64;
  let inFlight = 0;
  let closed = false;
  const reject = (reason: string) => opts.onRejected?.(reason);
  const reply = (id: string, wire: object, transfer: ArrayBuffer[] = []) => {
    if (closed) return;
    try {
      port.postMessage({ ...wire, id }, transfer);
    } catch (e) {
      try {
        port.postMessage({ ...errorWire(new Error(`The engine could not send its answer: ${thrownMessage(e)}`)), id });
      } catch {
        /* the port is gone */
      }
    }
  };
  const stop = () => {
    if (closed) return;
    closed = true;
    port.removeEventListener('message', onMessage);
    port.close();
  };

  function onMessage(ev: MessageEvent): void {
    const data: unknown = ev.data;
    if (!isPlainObject(data)) return reject('not a plain object');
    const id = data.id;
    if (typeof id !== 'string' || !id || id.length > MAX_ID_LENGTH) return reject('no usable id');
    const fail = (why: string) => {
      reject(why);
      reply(id, errorWire(new Error(`The engine refused a message from the runner: ${why}.`)));
    };
    if (data.type === 'RELEASE') {
      reply(id, { type: 'RAW', value: undefined });
      stop();
      return;
    }
    if (data.type !== 'APPLY') return fail(`only method calls are accepted, got ${JSON.stringify(String(data.type)).slice(0, 40)}`);
    const path = data.path;
    if (!Array.isArray(path) || path.length !== 1 || typeof path[0] !== 'string' || !names.has(path[0]) || !Object.hasOwn(methods, path[0])) {
      return fail(`unknown method ${JSON.stringify(Array.isArray(path) ? path.map(String).join('.') : String(path)).slice(0, 80)}`);
    }
    const list = data.argumentList;
    if (!Array.isArray(list) || list.length > MAX_ARGS) return fail('malformed argument list');
    const args: unknown[] = [];
    for (const w of list as unknown[]) {
      if (!isPlainObject(w) || w.type !== 'RAW' || !Object.hasOwn(w, 'value')) return fail('arguments must be plain values (no proxies or handlers)');
      args.push(w.value);
    }
    if (inFlight >= maxInFlight) return fail(`more than ${maxInFlight} calls at once`);
    inFlight++;
    const method = methods[path[0]]!;
    Promise.resolve()
      .then(() => (method as (...a: unknown[]) => unknown)(...args))
      .then(
        (result) => {
          const { value, transfer } = unwrap(result);
          reply(id, { type: 'RAW', value }, transfer);
        },
        (e: unknown) => reply(id, errorWire(e)),
      )
      .finally(() => inFlight--);
  }

  port.addEventListener('message', onMessage);
  port.start();
  return stop;
}

/** The message a dropped or malformed reply turns into (so the pending call fails instead of hanging). */
export const MALFORMED_REPLY = 'The runner sent a reply the engine does not accept (only plain values and plain errors are).';

/**
 * Sanitise one reply a worker sends to the engine's Comlink remote: plain values pass; errors
 * become {message, name, stack} strings; proxies and other handlers become a rejection.
 * Returns null for messages that are not replies at all (dropped).
 */
export function sanitizeReply(data: unknown): object | null {
  if (!isPlainObject(data)) return null;
  const id = data.id;
  if (typeof id !== 'string' || !id || id.length > MAX_ID_LENGTH) return null;
  if (data.type === 'RAW') return { id, type: 'RAW', value: data.value };
  if (data.type === 'HANDLER' && data.name === 'throw') {
    const s = data.value as { isError?: unknown; value?: unknown } | null;
    const v = (s && typeof s === 'object' ? s.value : undefined) as { message?: unknown; name?: unknown; stack?: unknown } | undefined;
    const isErr = !!s && typeof s === 'object' && s.isError === true && !!v && typeof v === 'object';
    const message = isErr ? (typeof v.message === 'string' ? v.message : 'error without a message') : thrownMessage(v);
    const name = isErr && typeof v.name === 'string' ? v.name : 'Error';
    const stack = isErr && typeof v.stack === 'string' ? v.stack : '';
    return { id, type: 'HANDLER', name: 'throw', value: { isError: true, value: { message, name, stack } } };
  }
  return { id, type: 'HANDLER', name: 'throw', value: { isError: true, value: { message: MALFORMED_REPLY, name: 'Error', stack: '' } } };
}

/** A Comlink endpoint over `port` that lets only sanitised replies through (see sanitizeReply). */
export function guardedEndpoint(port: MessagePort): Comlink.Endpoint {
  const wrapped = new Map<unknown, (e: MessageEvent) => void>();
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => port.postMessage(message, transfer ?? []),
    addEventListener: (type: string, listener: EventListenerOrEventListenerObject) => {
      const w = (e: MessageEvent) => {
        const clean = sanitizeReply(e.data);
        if (!clean) return;
        const ev = { data: clean } as MessageEvent;
        if (typeof listener === 'function') listener(ev);
        else listener.handleEvent(ev);
      };
      wrapped.set(listener, w);
      port.addEventListener(type as 'message', w);
    },
    removeEventListener: (type: string, listener: EventListenerOrEventListenerObject) => {
      const w = wrapped.get(listener);
      if (w) port.removeEventListener(type as 'message', w);
      wrapped.delete(listener);
    },
    start: () => port.start(),
  } as Comlink.Endpoint;
}
