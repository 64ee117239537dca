/**
 * `_X_AMZN_TRACE_ID` without setenv(3). glibc's setenv never frees a value it was given (a caller
 * may still point at it) and keeps every one in a search tree, so a new trace id per invocation
 * would grow a long-lived instance by about 190 bytes each time, and each set would cost more
 * than the last. `process.env` becomes a proxy over the real environment that keeps this one
 * variable in JavaScript; every other variable still lives in the real environment (so `TZ`,
 * native `getenv` and child processes behave as before), and the variable is still listed,
 * spread and copied to child processes like any other. Values are coerced to strings, as the real
 * environment does.
 */
const KEY = '_X_AMZN_TRACE_ID';

/**
 * Installs the proxy; returns the runner's setter, which takes an invocation's compact context
 * (`InvokeMessage.trace`) or undefined. The header is formatted from it only when something reads
 * the variable, so a function that never does pays nothing for it.
 */
export function installTraceEnv(): (compact: string | undefined) => void {
  const real = process.env;
  let trace: string | undefined = real[KEY];
  /** A compact context not yet formatted into `trace`. */
  let pending: string | undefined;
  const current = (): string | undefined => {
    if (pending !== undefined) {
      trace = amznTraceId(pending);
      pending = undefined;
    }
    return trace;
  };
  const assign = (value: unknown): void => {
    trace = `${value}`;
    pending = undefined;
  };
  delete real[KEY];
  process.env = new Proxy(real, {
    get: (target, key) => (key === KEY ? current() : Reflect.get(target, key)),
    set(target, key, value) {
      if (key !== KEY) return Reflect.set(target, key, value);
      assign(value);
      return true;
    },
    deleteProperty(target, key) {
      if (key !== KEY) return Reflect.deleteProperty(target, key);
      trace = undefined;
      pending = undefined;
      return true;
    },
    has: (target, key) => (key === KEY ? current() !== undefined : Reflect.has(target, key)),
    ownKeys(target) {
      const keys = Reflect.ownKeys(target);
      if (current() !== undefined) keys.push(KEY);
      return keys;
    },
    getOwnPropertyDescriptor(target, key) {
      if (key !== KEY) return Reflect.getOwnPropertyDescriptor(target, key);
      const value = current();
      return value === undefined
        ? undefined
        : { value, writable: true, enumerable: true, configurable: true };
    },
    defineProperty(target, key, descriptor) {
      if (key !== KEY) return Reflect.defineProperty(target, key, descriptor);
      assign(descriptor.value);
      return true;
    },
  });
  return (compact) => {
    pending = compact;
    trace = undefined;
  };
}

/**
 * The compact context an invocation arrives with (`InvokeMessage.trace`: trace id, span id,
 * sampled flag) → `Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=<0|1>`, as Lambda sets
 * `_X_AMZN_TRACE_ID`.
 */
export function amznTraceId(compact: string): string {
  return `Root=1-${compact.slice(0, 8)}-${compact.slice(8, 32)};Parent=${compact.slice(32, 48)};Sampled=${compact.slice(48, 49)}`;
}
