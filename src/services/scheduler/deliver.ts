import { BatonError } from '../../core/errors.ts';
import type { SendOptions } from '../arn-sender.ts';
import { makeEvent } from '../bus/envelope.ts';
import type { ScheduleRecord } from './records.ts';

/** What a schedule sends: its Input, or for an event bus the event whose detail that Input is. */
export function scheduledPayload(
  arn: string,
  payload: string,
  schedule: ScheduleRecord,
  now: number,
): string {
  const bus = schedule.target.eventBridge;
  if (bus === undefined || arn !== schedule.target.arn) return payload;
  const made = makeEvent(
    { Source: bus.source, DetailType: bus.detailType, Detail: payload, Resources: [schedule.arn] },
    now,
    { accountId: schedule.arn.split(':')[4] ?? '', region: schedule.arn.split(':')[3] ?? '' },
  );
  if ('error' in made) throw new BatonError('InvalidParameterValue', made.error[1]);
  return JSON.stringify(made.event);
}

/**
 * The schedule loop's `deliver`: hands a fire to its target (or dead-letter queue) through the ARN
 * sender, as the Scheduler service (`scheduler.amazonaws.com`), continuing the fire's `trace`;
 * throws when nothing took it.
 */
export function scheduleDeliverer(
  send: (arn: string, payload: string, opts: SendOptions) => Promise<boolean>,
  now: () => number,
): (arn: string, payload: string, schedule: ScheduleRecord, trace?: string) => Promise<void> {
  return async (arn, payload, schedule, trace) => {
    const group = arn === schedule.target.arn ? schedule.target.messageGroupId : undefined;
    const opts = {
      sender: 'scheduler.amazonaws.com',
      ...(group === undefined ? {} : { messageGroupId: group }),
      ...(trace === undefined ? {} : { trace }),
    };
    if (!(await send(arn, scheduledPayload(arn, payload, schedule, now()), opts)))
      throw new BatonError('ResourceNotFound', `The schedule's target ${arn} cannot take messages`);
  };
}
