/**
 * EventBridge's six-field cron: `minutes hours day-of-month month day-of-week year`.
 * Grammar per https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html:
 * - every field takes `,` `-` `*`; all but day-of-week take `/`; day-of-month adds `? L W`,
 *   day-of-week adds `? L #`;
 * - exactly one of day-of-month and day-of-week is `?`;
 * - a `#` day-of-week is a single expression (`3#1,6#3` is refused);
 * - names (`JAN`, `MON-FRI`) are case-insensitive, as in Quartz, which AWS's syntax follows;
 * - day-of-week counts 1 = SUN … 7 = SAT; years run 1970–2199.
 * Baton refuses descending ranges (`FRI-MON`, `22-2`): AWS documents none.
 */
import { invalidExpression } from './errors.ts';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
export const MIN_YEAR = 1970;
export const MAX_YEAR = 2199;

/** The day-of-month field, once parsed. */
export type DayOfMonth =
  | { kind: 'any' }
  | { kind: 'days'; days: ReadonlySet<number> }
  /** `L`: the month's last day. */
  | { kind: 'last' }
  /** `LW`: the month's last weekday (Mon–Fri). */
  | { kind: 'lastWeekday' }
  /** `nW`: the weekday nearest day n, never crossing into another month. */
  | { kind: 'nearestWeekday'; day: number };

/** The day-of-week field, once parsed; weekdays are 1 = SUN … 7 = SAT. */
export type DayOfWeek =
  | { kind: 'any' }
  | { kind: 'weekdays'; weekdays: ReadonlySet<number> }
  /** `nL`: the month's last such weekday. */
  | { kind: 'last'; weekday: number }
  /** `n#k`: the k-th such weekday of the month. */
  | { kind: 'nth'; weekday: number; nth: number };

export interface CronSpec {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  dayOfMonth: DayOfMonth;
  months: ReadonlySet<number>;
  dayOfWeek: DayOfWeek;
  years: ReadonlySet<number>;
}

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: string[];
  step: boolean;
}

const FIELDS = {
  minutes: { name: 'Minutes', min: 0, max: 59, step: true },
  hours: { name: 'Hours', min: 0, max: 23, step: true },
  dayOfMonth: { name: 'Day-of-month', min: 1, max: 31, step: true },
  months: { name: 'Month', min: 1, max: 12, names: MONTHS, step: true },
  dayOfWeek: { name: 'Day-of-week', min: 1, max: 7, names: WEEKDAYS, step: false },
  years: { name: 'Year', min: MIN_YEAR, max: MAX_YEAR, step: true },
} satisfies Record<string, FieldDef>;

function value(def: FieldDef, token: string): number {
  const named = def.names?.indexOf(token) ?? -1;
  const n = named >= 0 ? named + 1 : /^\d{1,4}$/.test(token) ? Number(token) : Number.NaN;
  if (!(n >= def.min && n <= def.max)) {
    throw invalidExpression(`${def.name} value '${token}' is outside ${def.min}-${def.max}.`);
  }
  return n;
}

/** Parses a list of `*`, `n`, `a-b`, `n/s`, `a-b/s`, `*\/s` items into the set of values. */
function numbers(def: FieldDef, field: string): Set<number> {
  const out = new Set<number>();
  for (const item of field.split(',')) {
    const [range = '', stepText, extra] = item.split('/');
    if (extra !== undefined || range === '')
      throw invalidExpression(`${def.name} item '${item}' is malformed.`);
    let step = 1;
    if (stepText !== undefined) {
      if (!def.step) throw invalidExpression(`${def.name} does not take '/'.`);
      step = /^\d{1,4}$/.test(stepText) ? Number(stepText) : 0;
      if (step < 1 || step > def.max)
        throw invalidExpression(`${def.name} increment '${stepText}' is not valid.`);
    }
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = def.min;
      hi = def.max;
    } else {
      const bounds = range.split('-');
      if (bounds.length > 2) throw invalidExpression(`${def.name} range '${range}' is malformed.`);
      lo = value(def, bounds[0]!);
      hi = bounds[1] === undefined ? (stepText === undefined ? lo : def.max) : value(def, bounds[1]);
      if (hi < lo) throw invalidExpression(`${def.name} range '${range}' runs backwards.`);
    }
    for (let n = lo; n <= hi; n += step) out.add(n);
  }
  return out;
}

function dayOfMonth(field: string): DayOfMonth {
  if (field === '?') return { kind: 'any' };
  if (field === 'L') return { kind: 'last' };
  if (field === 'LW') return { kind: 'lastWeekday' };
  const w = /^(\d{1,2})W$/.exec(field);
  if (w) return { kind: 'nearestWeekday', day: value(FIELDS.dayOfMonth, w[1]!) };
  if (/[LW]/.test(field)) throw invalidExpression(`Day-of-month '${field}' misuses L or W.`);
  return { kind: 'days', days: numbers(FIELDS.dayOfMonth, field) };
}

function dayOfWeek(field: string): DayOfWeek {
  if (field === '?') return { kind: 'any' };
  // `L` alone is "the last day of the week": every Saturday, as in Quartz.
  if (field === 'L') return { kind: 'weekdays', weekdays: new Set([7]) };
  const last = /^(\w+)L$/.exec(field);
  if (last) return { kind: 'last', weekday: value(FIELDS.dayOfWeek, last[1]!) };
  const nth = /^(\w+)#(\d)$/.exec(field);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw invalidExpression(`Day-of-week '${field}': the instance after # must be 1-5.`);
    return { kind: 'nth', weekday: value(FIELDS.dayOfWeek, nth[1]!), nth: n };
  }
  if (/[L#]/.test(field)) throw invalidExpression(`Day-of-week '${field}' misuses L or #.`);
  return { kind: 'weekdays', weekdays: numbers(FIELDS.dayOfWeek, field) };
}

/** Parses the inside of `cron(...)`; throws `ValidationException` naming the bad field. */
export function parseCron(body: string): CronSpec {
  const fields = body.trim().toUpperCase().split(/\s+/);
  if (fields.length !== 6) throw invalidExpression(`A cron expression has 6 fields, not ${fields.length}.`);
  const [mi, h, dom, mo, dow, y] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    throw invalidExpression('Exactly one of Day-of-month and Day-of-week must be ?.');
  }
  for (const [def, f] of [
    [FIELDS.minutes, mi],
    [FIELDS.hours, h],
    [FIELDS.months, mo],
    [FIELDS.years, y],
  ] as const) {
    if (f.includes('?')) throw invalidExpression(`${def.name} does not take '?'.`);
  }
  return {
    minutes: numbers(FIELDS.minutes, mi),
    hours: numbers(FIELDS.hours, h),
    dayOfMonth: dayOfMonth(dom),
    months: numbers(FIELDS.months, mo),
    dayOfWeek: dayOfWeek(dow),
    years: numbers(FIELDS.years, y),
  };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = SUN … 7 = SAT, as cron counts. */
function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

/** The weekday nearest `day`, staying inside the month (Quartz's `W`, which AWS follows). */
function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysInMonth(year, month);
  const wd = weekdayOf(year, month, day);
  if (wd === 7) return day === 1 ? 3 : day - 1;
  if (wd === 1) return day === last ? day - 2 : day + 1;
  return day;
}

export function dayMatches(spec: CronSpec, year: number, month: number, day: number): boolean {
  const last = daysInMonth(year, month);
  const dom = spec.dayOfMonth;
  switch (dom.kind) {
    case 'days':
      if (!dom.days.has(day)) return false;
      break;
    case 'last':
      if (day !== last) return false;
      break;
    case 'lastWeekday':
      if (day !== nearestWeekday(year, month, last)) return false;
      break;
    case 'nearestWeekday':
      if (dom.day > last || day !== nearestWeekday(year, month, dom.day)) return false;
      break;
  }
  const dow = spec.dayOfWeek;
  const wd = weekdayOf(year, month, day);
  switch (dow.kind) {
    case 'weekdays':
      return dow.weekdays.has(wd);
    case 'last':
      return wd === dow.weekday && day + 7 > last;
    case 'nth':
      return wd === dow.weekday && Math.ceil(day / 7) === dow.nth;
    default:
      return true;
  }
}

/**
 * The first wall-clock minute at or after `fromWall` (UTC-encoded, see zone.ts) that the spec
 * matches, or undefined when none is left before 2200.
 */
export function nextWallMatch(spec: CronSpec, fromWall: number): number | undefined {
  const start = new Date(Math.ceil(fromWall / 60_000) * 60_000);
  let y = start.getUTCFullYear();
  let mo = start.getUTCMonth() + 1;
  let d = start.getUTCDate();
  let h = start.getUTCHours();
  let mi = start.getUTCMinutes();
  for (;;) {
    if (mi > 59) [mi, h] = [0, h + 1];
    if (h > 23) [h, d] = [0, d + 1];
    if (d > daysInMonth(y, mo)) [d, mo] = [1, mo + 1];
    if (mo > 12) [mo, y] = [1, y + 1];
    if (y > MAX_YEAR) return undefined;
    if (!spec.years.has(y)) [y, mo, d, h, mi] = [y + 1, 1, 1, 0, 0];
    else if (!spec.months.has(mo)) [mo, d, h, mi] = [mo + 1, 1, 0, 0];
    else if (!dayMatches(spec, y, mo, d)) [d, h, mi] = [d + 1, 0, 0];
    else if (!spec.hours.has(h)) [h, mi] = [h + 1, 0];
    else if (!spec.minutes.has(mi)) mi += 1;
    else return Date.UTC(y, mo - 1, d, h, mi);
  }
}
