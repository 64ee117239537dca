import type { TargetInput } from './backend.ts';
import { BusError } from './errors.ts';

/**
 * What a target receives: the event itself, a constant (`Input`), a part of it (`InputPath`), or
 * a template filled from parts of it (`InputTransformer`), as EventBridge documents:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */

/** The JSONPath subset Baton supports: `$`, `$.a.b`, `$.a[0].b`, `$['a-b']`. */
const PATH_RE = /^\$(?:\.[^.[\]]+|\[\d+\]|\['[^']+'\])*$/;

/** Checks a JSONPath for PutTargets; throws ValidationException. */
export function checkPath(path: string, what: string): void {
  if (!PATH_RE.test(path))
    throw new BusError('ValidationException', `${what} is not a valid JSON path: ${path}`);
}

/** The value at a JSONPath in an event, or undefined. */
export function valueAtPath(event: unknown, path: string): unknown {
  let node: unknown = event;
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]/g;
  for (const m of path.slice(1).matchAll(re)) {
    if (node === null || typeof node !== 'object') return undefined;
    const key = m[1] ?? m[3] ?? Number(m[2]);
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** Names AWS reserves in templates. */
function reserved(name: string, ctx: TransformContext, event: unknown): unknown {
  switch (name) {
    case 'aws.events.event':
    case 'aws.events.event.json':
      return event;
    case 'aws.events.rule-name':
      return ctx.ruleName;
    case 'aws.events.rule-arn':
      return ctx.ruleArn;
    case 'aws.events.event.ingestion-time':
      return (event as { time?: unknown }).time;
    default:
      return undefined;
  }
}

export interface TransformContext {
  ruleName: string;
  ruleArn: string;
}

/** Checks a target's input settings for PutTargets; throws ValidationException. */
export function checkTargetInput(t: TargetInput): void {
  const given = [t.Input, t.InputPath, t.InputTransformer].filter((x) => x !== undefined).length;
  if (given > 1)
    throw new BusError(
      'ValidationException',
      'Only one of Input, InputPath, or InputTransformer must be provided.',
    );
  if (t.Input !== undefined) {
    try {
      JSON.parse(t.Input);
    } catch {
      throw new BusError('ValidationException', 'Input is not valid JSON text.');
    }
  }
  if (t.InputPath !== undefined) checkPath(t.InputPath, 'InputPath');
  if (t.InputTransformer !== undefined) {
    const it = t.InputTransformer;
    if (typeof it.InputTemplate !== 'string' || it.InputTemplate.length === 0)
      throw new BusError('ValidationException', 'InputTransformer.InputTemplate is required.');
    const map = it.InputPathsMap ?? {};
    const names = Object.keys(map);
    if (names.length > 100)
      throw new BusError('ValidationException', 'InputPathsMap can have at most 100 entries.');
    for (const [name, path] of Object.entries(map)) {
      if (name.startsWith('aws.events.'))
        throw new BusError('ValidationException', `InputPathsMap key ${name} is reserved.`);
      checkPath(path, `InputPathsMap value for ${name}`);
    }
  }
}

/** Fills `<name>` placeholders: inside a JSON string a value goes in escaped; outside, as JSON. */
export function fillTemplate(template: string, values: (name: string) => unknown): string {
  const json = /^\s*[{[]/.test(template);
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\\' && inString) {
      out += c + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === '<') {
      const end = template.indexOf('>', i);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (/^[A-Za-z0-9_.-]+$/.test(name)) {
        const v = values(name);
        out += render(v, json && !inString, json && inString);
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}

function render(v: unknown, asJson: boolean, escaped: boolean): string {
  if (asJson) return v === undefined ? 'null' : JSON.stringify(v);
  const text = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return escaped ? JSON.stringify(text).slice(1, -1) : text;
}

/** The payload a target gets for an event (the event object, as matched). */
export function transformInput(t: TargetInput, event: unknown, ctx: TransformContext): string {
  if (t.Input !== undefined) return t.Input;
  if (t.InputPath !== undefined) return JSON.stringify(valueAtPath(event, t.InputPath) ?? null);
  if (t.InputTransformer !== undefined) {
    const map = t.InputTransformer.InputPathsMap ?? {};
    return fillTemplate(t.InputTransformer.InputTemplate, (name) =>
      Object.hasOwn(map, name) ? valueAtPath(event, map[name]!) : reserved(name, ctx, event),
    );
  }
  return JSON.stringify(event);
}
