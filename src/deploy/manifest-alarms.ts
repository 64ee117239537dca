import { BatonError } from '../core/errors.ts';
import { type AlarmSpec, parseAlarmSpec } from '../telemetry/alarms/spec.ts';

/**
 * The manifest's `alarms` section: `NAME: { metric, function | queue, threshold, comparison … }`
 * (README, "Alarms"). The server checks each period against BATON_ALARM_MIN_PERIOD_S when the
 * deploy applies them.
 */
export function parseAlarms(value: unknown): AlarmSpec[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value))
    throw new BatonError(
      'InvalidParameterValue',
      'alarms: must be a mapping of alarm names to their settings',
      {
        details: { path: 'alarms' },
      },
    );
  return Object.entries(value as Record<string, unknown>).map(([name, settings]) => {
    const path = `alarms.${name}`;
    if (typeof settings === 'object' && settings !== null && 'name' in settings)
      throw new BatonError('InvalidParameterValue', `${path}.name: the alarm's name is its key`, {
        details: { path: `${path}.name` },
      });
    return parseAlarmSpec({ ...(settings as object), name }, path);
  });
}
