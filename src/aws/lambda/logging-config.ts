import { BatonError } from '../../core/errors.ts';
import {
  APPLICATION_LOG_LEVELS,
  type LoggingSettings,
  logGroupOf,
  SYSTEM_LOG_LEVELS,
} from '../../core/logging-config.ts';

/**
 * Lambda's LoggingConfig on the wire
 * (https://docs.aws.amazon.com/lambda/latest/api/API_LoggingConfig.html), to and from the
 * settings a function stores (core/logging-config.ts).
 */

function enumMember(o: Record<string, unknown>, key: string, allowed: readonly string[]): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v))
    throw new BatonError(
      'InvalidParameterValue',
      `1 validation error detected: Value '${String(v)}' at 'loggingConfig.${key[0]!.toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  return v;
}

/**
 * The settings after a CreateFunction or UpdateFunctionConfiguration: members that are sent
 * replace the current ones, the others stay. Levels belong to the JSON format: switching to Text
 * drops them, and sending them with Text is refused, as Lambda does.
 */
export function loggingFromWire(input: unknown, current: LoggingSettings | undefined): unknown {
  if (input === undefined || input === null) return current;
  if (typeof input !== 'object' || Array.isArray(input))
    throw new BatonError('InvalidParameterValue', 'LoggingConfig must be an object');
  const o = input as Record<string, unknown>;
  const format = enumMember(o, 'LogFormat', ['JSON', 'Text']) ?? current?.format ?? 'Text';
  const application = enumMember(o, 'ApplicationLogLevel', APPLICATION_LOG_LEVELS);
  const system = enumMember(o, 'SystemLogLevel', SYSTEM_LOG_LEVELS);
  if (format === 'Text' && (application !== undefined || system !== undefined))
    throw new BatonError(
      'InvalidParameterValue',
      'ApplicationLogLevel and SystemLogLevel can be set only when LogFormat is JSON.',
    );
  const group = o.LogGroup === undefined || o.LogGroup === null ? current?.logGroup : o.LogGroup;
  return {
    format,
    ...(format === 'JSON'
      ? {
          applicationLogLevel: application ?? current?.applicationLogLevel,
          systemLogLevel: system ?? current?.systemLogLevel,
        }
      : {}),
    ...(group !== undefined ? { logGroup: group } : {}),
  };
}

/** FunctionConfiguration's LoggingConfig member. */
export function loggingToWire(name: string, logging: LoggingSettings | undefined): Record<string, unknown> {
  const json = logging?.format === 'JSON';
  return {
    LogFormat: json ? 'JSON' : 'Text',
    ...(json
      ? {
          ApplicationLogLevel: logging.applicationLogLevel ?? 'INFO',
          SystemLogLevel: logging.systemLogLevel ?? 'INFO',
        }
      : {}),
    LogGroup: logGroupOf(name, logging),
  };
}
