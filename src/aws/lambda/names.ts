import { BatonError } from '../../core/errors.ts';

/**
 * Parses a FunctionName as Lambda accepts it: a name, a partial ARN (`123456789012:function:f`)
 * or a full ARN, each optionally with `:qualifier`.
 */
export function parseFunctionRef(raw: string): { name: string; qualifier: string | undefined } {
  const m =
    /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:[a-z]{2}(?:-gov)?-[a-z]+-\d{1}:)?(?:\d{12}:)?(?:function:)?([a-zA-Z0-9_-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/.exec(
      raw,
    );
  if (!m || m[1]!.length > 64 || raw.length > 140)
    throw new BatonError(
      'InvalidParameterValue',
      `1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  return { name: m[1]!, qualifier: m[2] };
}
