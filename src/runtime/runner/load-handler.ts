import { pathToFileURL } from 'node:url';
import type { FunctionErrorBody, InitMessage } from '../protocol.ts';
import { runtimeError, toErrorBody } from './error-shape.ts';

export type Handler = (
  event: unknown,
  context: unknown,
  callback: (err?: unknown, result?: unknown) => void,
) => unknown;

export type LoadResult = { ok: true; handler: Handler } | { ok: false; error: FunctionErrorBody };

/**
 * Loads the function's module and finds its handler, reporting failures with the error types
 * of Lambda's Node.js runtime (`UserFunction.js`): ImportModuleError, UserCodeSyntaxError,
 * HandlerNotFound.
 */
export async function loadHandler(init: InitMessage): Promise<LoadResult> {
  if (init.entry === null) {
    return {
      ok: false,
      error: runtimeError('ImportModuleError', `Error: Cannot find module '${init.module}'`),
    };
  }
  let ns: Record<string, unknown>;
  try {
    ns = (await import(pathToFileURL(`${init.taskRoot}/${init.entry}`).href)) as Record<string, unknown>;
  } catch (e) {
    const err = e as { code?: string; stack?: string };
    if (e instanceof SyntaxError)
      return { ok: false, error: runtimeError('UserCodeSyntaxError', String(e), err.stack) };
    if (err?.code === 'MODULE_NOT_FOUND')
      return { ok: false, error: runtimeError('ImportModuleError', String(e), err.stack) };
    return { ok: false, error: toErrorBody(e) };
  }
  const found = resolvePath(ns, init.exportPath) ?? resolvePath(ns.default, init.exportPath);
  if (found === undefined)
    return {
      ok: false,
      error: runtimeError('HandlerNotFound', `${init.handler} is undefined or not exported`),
    };
  if (typeof found !== 'function')
    return { ok: false, error: runtimeError('HandlerNotFound', `${init.handler} is not a function`) };
  return { ok: true, handler: found as Handler };
}

function resolvePath(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const key of path.split('.')) {
    if (cur === null || (typeof cur !== 'object' && typeof cur !== 'function')) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
