/**
 * The identity policy a function's session gets when its role is not one of Baton's IAM roles
 * (no role, or a placeholder ARN): the resources its own app's manifest declares, and nothing
 * else. Granting an app its own resources by default is what issue 7 allows; anything beyond
 * needs a role with a policy. Pure. Guarded by `test/governance/function-roles.test.ts`.
 */

/** The names of what one app's manifest declares. */
export interface AppGrants {
  queues: readonly string[];
  topics: readonly string[];
  tables: readonly string[];
  buses: readonly string[];
  /** The app's functions. */
  functions: readonly string[];
}

/** Where the app's resources live: Baton's region and account (`BATON_REGION`, `BATON_ACCOUNT_ID`). */
export interface GrantScope {
  region: string;
  account: string;
}

/**
 * The policy document (JSON text) granting an app's own resources, or undefined when it declares
 * none:
 * - queues: `sqs:*`;
 * - topics: `sns:*`;
 * - tables: `dynamodb:*` on the table, its indexes and its streams;
 * - buses: `events:PutEvents` and `events:DescribeEventBus`;
 * - functions: `lambda:InvokeFunction`, on every version and alias too.
 */
export function appPolicyDocument(scope: GrantScope, g: AppGrants): string | undefined {
  const { region, account } = scope;
  const statements: Record<string, unknown>[] = [];
  const add = (sid: string, action: string | string[], resources: string[]) => {
    if (resources.length > 0)
      statements.push({ Sid: sid, Effect: 'Allow', Action: action, Resource: resources });
  };
  add(
    'AppQueues',
    'sqs:*',
    g.queues.map((q) => `arn:aws:sqs:${region}:${account}:${q}`),
  );
  add(
    'AppTopics',
    'sns:*',
    g.topics.map((t) => `arn:aws:sns:${region}:${account}:${t}`),
  );
  add(
    'AppTables',
    'dynamodb:*',
    g.tables.flatMap((t) => {
      const table = `arn:aws:dynamodb:${region}:${account}:table/${t}`;
      return [table, `${table}/index/*`, `${table}/stream/*`];
    }),
  );
  add(
    'AppBuses',
    ['events:PutEvents', 'events:DescribeEventBus'],
    g.buses.map((b) => `arn:aws:events:${region}:${account}:event-bus/${b}`),
  );
  add(
    'AppFunctions',
    'lambda:InvokeFunction',
    g.functions.flatMap((f) => {
      const fn = `arn:aws:lambda:${region}:${account}:function:${f}`;
      return [fn, `${fn}:*`];
    }),
  );
  return statements.length > 0 ? JSON.stringify({ Version: '2012-10-17', Statement: statements }) : undefined;
}
