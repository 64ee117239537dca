import { BatonError } from '../core/errors.ts';

/** A function's `schedule` or `rule` event: a bus rule the deploy keeps, with the function as target. */
export interface RuleEventSpec {
  function: string;
  /** The rule's name: `baton-APP-FUNCTION-N`, N the event's index (the deploy owns these). */
  name?: string;
  bus: string;
  schedule?: string;
  pattern?: string;
  path: string;
}

function invalid(path: string, what: string): BatonError {
  return new BatonError('InvalidParameterValue', `${path}: ${what}`, { details: { path } });
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The manifest's `buses` section: `name: {}` for each custom event bus (`default` always exists). */
export function parseBuses(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!isMapping(value)) throw invalid('buses', 'must be a mapping of bus names to their settings');
  return Object.entries(value).map(([name, v]) => {
    if (!/^[.\-_A-Za-z0-9]{1,256}$/.test(name) || name === 'default')
      throw invalid(
        `buses.${name}`,
        'bus names are 1-256 letters, digits, dots, hyphens or underscores (not default)',
      );
    if (v !== null && v !== undefined && !(isMapping(v) && Object.keys(v).length === 0))
      throw invalid(`buses.${name}`, 'takes no settings yet: write {}');
    return name;
  });
}

/**
 * `{ schedule: "rate(5 minutes)" }` (a scheduled rule on the default bus) or
 * `{ rule: { bus: orders, pattern: {...} } }` (an event pattern on a bus; bus defaults to default).
 * The expression and pattern are checked by the bus when the deploy puts the rule.
 */
export function parseRuleEvent(
  fn: string,
  kind: 'schedule' | 'rule',
  ev: Record<string, unknown>,
  path: string,
): RuleEventSpec {
  for (const k of Object.keys(ev)) if (k !== kind) throw invalid(`${path}.${k}`, 'is not a known field');
  if (kind === 'schedule') {
    if (typeof ev.schedule !== 'string' || !/^(rate|cron)\(.*\)$/.test(ev.schedule))
      throw invalid(`${path}.schedule`, 'must be a rate(...) or cron(...) expression');
    return { function: fn, bus: 'default', schedule: ev.schedule, path: `${path}.schedule` };
  }
  const r = ev.rule;
  if (!isMapping(r)) throw invalid(`${path}.rule`, 'must be { bus: NAME, pattern: {...} }');
  for (const k of Object.keys(r))
    if (k !== 'bus' && k !== 'pattern') throw invalid(`${path}.rule.${k}`, 'is not a known field');
  if (r.bus !== undefined && typeof r.bus !== 'string')
    throw invalid(`${path}.rule.bus`, 'must be a bus name');
  if (!isMapping(r.pattern)) throw invalid(`${path}.rule.pattern`, 'must be an event pattern (a mapping)');
  return {
    function: fn,
    bus: (r.bus as string | undefined) ?? 'default',
    pattern: JSON.stringify(r.pattern),
    path: `${path}.rule`,
  };
}
