/**
 * EventBridge Scheduler's control plane: schedule groups and schedules, with the `default` group
 * always present. The loop (loop.ts) is told of every change through `onChange`.
 */
import type { Clock } from '../../core/clock.ts';
import type { ScheduleBackend } from './backend.ts';
import { invalid, SchedulerError } from './errors.ts';
import { checkName, scheduleFromInput } from './input.ts';
import type { ScheduleGroupRecord, ScheduleRecord } from './records.ts';

export const DEFAULT_GROUP = 'default';

export interface SchedulerServiceDeps {
  backend: ScheduleBackend;
  clock: Clock;
  region: string;
  accountId: string;
  /** Called after a schedule is created, updated or deleted (`undefined`). */
  onChange?: (group: string, name: string, schedule: ScheduleRecord | undefined) => void;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

const notFound = (what: string) => new SchedulerError('ResourceNotFoundException', `${what} does not exist.`);

export class SchedulerService {
  private constructor(private readonly deps: SchedulerServiceDeps) {}

  /** Opens the service, creating the `default` group on first use. */
  static async open(deps: SchedulerServiceDeps): Promise<SchedulerService> {
    const s = new SchedulerService(deps);
    const now = deps.clock.now();
    await deps.backend.insertGroup({
      name: DEFAULT_GROUP,
      arn: s.groupArn(DEFAULT_GROUP),
      createdAt: now,
      lastModifiedAt: now,
    });
    return s;
  }

  groupArn(name: string): string {
    return `arn:aws:scheduler:${this.deps.region}:${this.deps.accountId}:schedule-group/${name}`;
  }

  scheduleArn(group: string, name: string): string {
    return `arn:aws:scheduler:${this.deps.region}:${this.deps.accountId}:schedule/${group}/${name}`;
  }

  // --- Groups ----------------------------------------------------------------------------------

  async createGroup(nameIn: unknown): Promise<ScheduleGroupRecord> {
    const name = checkName(nameIn, 'name');
    const now = this.deps.clock.now();
    const group = { name, arn: this.groupArn(name), createdAt: now, lastModifiedAt: now };
    if (!(await this.deps.backend.insertGroup(group)))
      throw new SchedulerError('ConflictException', `Schedule group ${name} already exists.`);
    return group;
  }

  async getGroup(nameIn: unknown): Promise<ScheduleGroupRecord> {
    const name = checkName(nameIn, 'name');
    const group = await this.deps.backend.getGroup(name);
    if (!group) throw notFound(`Schedule group ${name}`);
    return group;
  }

  /** Deletes the group and its schedules (AWS does this asynchronously; Baton at once). */
  async deleteGroup(nameIn: unknown): Promise<void> {
    const name = checkName(nameIn, 'name');
    if (name === DEFAULT_GROUP) throw invalid('The default schedule group cannot be deleted.');
    const schedules = await this.deps.backend.listSchedules(name);
    if (!(await this.deps.backend.deleteGroup(name))) throw notFound(`Schedule group ${name}`);
    for (const s of schedules) this.deps.onChange?.(s.group, s.name, undefined);
  }

  async listGroups(opts: { namePrefix?: string; nextToken?: string; maxResults?: number }) {
    const all = (await this.deps.backend.listGroups()).filter(
      (g) => opts.namePrefix === undefined || g.name.startsWith(opts.namePrefix),
    );
    return page(all, (g) => g.name, opts);
  }

  // --- Schedules -------------------------------------------------------------------------------

  async createSchedule(nameIn: unknown, body: Record<string, unknown>): Promise<ScheduleRecord> {
    const name = checkName(nameIn, 'name');
    const group = await this.existingGroup(body.GroupName);
    const now = this.deps.clock.now();
    const arn = this.scheduleArn(group, name);
    const record = scheduleFromInput(body, { group, name, arn, createdAt: now, now });
    if (!(await this.deps.backend.insertSchedule(record)))
      throw new SchedulerError('ConflictException', `Schedule ${name} already exists.`);
    this.deps.onChange?.(group, name, record);
    return record;
  }

  async getSchedule(nameIn: unknown, groupIn: unknown): Promise<ScheduleRecord> {
    const name = checkName(nameIn, 'name');
    const group = groupIn === undefined || groupIn === null ? DEFAULT_GROUP : checkName(groupIn, 'groupName');
    const s = await this.deps.backend.getSchedule(group, name);
    if (!s) throw notFound(`Schedule ${name}`);
    return s;
  }

  /** Replaces the schedule's definition: members left out take their defaults, as on AWS. */
  async updateSchedule(nameIn: unknown, body: Record<string, unknown>): Promise<ScheduleRecord> {
    const current = await this.getSchedule(nameIn, body.GroupName);
    const record = scheduleFromInput(body, {
      group: current.group,
      name: current.name,
      arn: current.arn,
      createdAt: current.createdAt,
      now: this.deps.clock.now(),
    });
    if (!(await this.deps.backend.updateSchedule(record))) throw notFound(`Schedule ${current.name}`);
    this.deps.onChange?.(record.group, record.name, record);
    return record;
  }

  async deleteSchedule(nameIn: unknown, groupIn: unknown): Promise<void> {
    const s = await this.getSchedule(nameIn, groupIn);
    await this.deleteRecord(s.group, s.name);
  }

  /** Deletes without checks: the loop's ActionAfterCompletion DELETE. */
  async deleteRecord(group: string, name: string): Promise<boolean> {
    const deleted = await this.deps.backend.deleteSchedule(group, name);
    if (deleted) this.deps.onChange?.(group, name, undefined);
    return deleted;
  }

  async listSchedules(opts: {
    group?: string;
    namePrefix?: string;
    state?: string;
    nextToken?: string;
    maxResults?: number;
  }): Promise<Page<ScheduleRecord>> {
    if (opts.group !== undefined) checkName(opts.group, 'scheduleGroup');
    if (opts.state !== undefined && opts.state !== 'ENABLED' && opts.state !== 'DISABLED')
      throw invalid(`Invalid State filter: ${opts.state}`);
    const all = (await this.deps.backend.listSchedules(opts.group)).filter(
      (s) =>
        (opts.namePrefix === undefined || s.name.startsWith(opts.namePrefix)) &&
        (opts.state === undefined || s.state === opts.state),
    );
    // NUL sorts before every name character, so keys order as (group, name) pairs do.
    return page(all, (s) => `${s.group}\u0000${s.name}`, opts);
  }

  /** Every schedule, for the loop. */
  allSchedules(): Promise<ScheduleRecord[]> {
    return this.deps.backend.listSchedules();
  }

  private async existingGroup(groupIn: unknown): Promise<string> {
    const group = groupIn === undefined || groupIn === null ? DEFAULT_GROUP : checkName(groupIn, 'groupName');
    if (!(await this.deps.backend.getGroup(group))) throw notFound(`Schedule group ${group}`);
    return group;
  }
}

/** Pages by key: the token is the last key returned, base64url-encoded. */
function page<T>(
  items: T[],
  keyOf: (t: T) => string,
  opts: { nextToken?: string; maxResults?: number },
): Page<T> {
  const max = opts.maxResults ?? 100;
  if (!Number.isInteger(max) || max < 1 || max > 100)
    throw invalid(
      `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`,
    );
  items.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  let start = 0;
  if (opts.nextToken !== undefined) {
    const after = Buffer.from(opts.nextToken, 'base64url').toString('utf8');
    start = items.findIndex((t) => keyOf(t) > after);
    if (start < 0) start = items.length;
  }
  const slice = items.slice(start, start + max);
  const more = start + max < items.length;
  return more
    ? { items: slice, nextToken: Buffer.from(keyOf(slice.at(-1)!)).toString('base64url') }
    : { items: slice };
}
