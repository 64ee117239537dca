/**
 * The IAM actions and resources of each DynamoDB and DynamoDB Streams operation, from its parsed
 * input. Pure.
 *
 * Tables are `arn:aws:dynamodb:<region>:<account>:table/<name>` (a TableName that is an ARN is
 * taken as given); Query and Scan on an index act on `table/<name>/index/<index>`. BatchGetItem
 * and BatchWriteItem act on every table they name; TransactWriteItems needs, per item, the action
 * of its kind (`dynamodb:PutItem`, `UpdateItem`, `DeleteItem`, `ConditionCheckItem`) and
 * TransactGetItems `dynamodb:GetItem`, as AWS authorizes transactions. Streams operations act on
 * the stream's ARN (GetRecords on the one its iterator reads). ListTables, ListStreams and
 * DescribeLimits have no resource-level permission (`*`).
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 * Guarded by `test/aws/access.test.ts`.
 */
import type { AccessRequest } from '../../governance/authorizer.ts';
import { iteratorStreamArn } from '../../services/tables/streams.ts';
import { type ArnScope, member, one } from '../access.ts';

const NO_RESOURCE = new Set(['ListTables', 'ListStreams', 'DescribeLimits', 'DescribeEndpoints']);
const TRANSACT_WRITES: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

export function dynamodbAccess(
  operation: string,
  input: Record<string, unknown>,
  scope: ArnScope,
): AccessRequest[] {
  const action = `dynamodb:${operation}`;
  if (NO_RESOURCE.has(operation)) return one(action, '*');
  switch (operation) {
    case 'Query':
    case 'Scan': {
      const table = tableArn(scope, member(input, 'TableName'));
      const index = member(input, 'IndexName');
      return one(action, index === undefined ? table : `${table}/index/${index}`);
    }
    case 'BatchGetItem':
    case 'BatchWriteItem': {
      const items = input.RequestItems;
      const names = items && typeof items === 'object' ? Object.keys(items) : [];
      return names.length === 0
        ? one(action, tableArn(scope, undefined))
        : names.map((n) => ({ action, resource: tableArn(scope, n) }));
    }
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return transact(operation, input, scope);
    case 'TagResource':
    case 'UntagResource':
    case 'ListTagsOfResource':
      return one(action, member(input, 'ResourceArn') ?? '*');
    case 'DescribeStream':
    case 'GetShardIterator':
      return one(action, member(input, 'StreamArn') ?? streamWildcard(scope));
    case 'GetRecords':
      return one(action, iteratorStreamArn(input.ShardIterator) ?? streamWildcard(scope));
    default:
      return one(action, tableArn(scope, member(input, 'TableName')));
  }
}

function tableArn(scope: ArnScope, name: string | undefined): string {
  if (name?.startsWith('arn:')) return name;
  return `arn:aws:dynamodb:${scope.region}:${scope.account}:table/${name ?? '*'}`;
}

const streamWildcard = (scope: ArnScope) => `${tableArn(scope, '*')}/stream/*`;

/** One request per distinct (action, table) among a transaction's items. */
function transact(operation: string, input: Record<string, unknown>, scope: ArnScope): AccessRequest[] {
  const items = Array.isArray(input.TransactItems) ? input.TransactItems : [];
  const out = new Map<string, AccessRequest>();
  for (const raw of items) {
    const item = (raw ?? {}) as Record<string, unknown>;
    for (const kind of operation === 'TransactGetItems' ? ['Get'] : Object.keys(TRANSACT_WRITES)) {
      const op = item[kind] as Record<string, unknown> | undefined;
      if (!op || typeof op !== 'object') continue;
      const action = kind === 'Get' ? 'dynamodb:GetItem' : TRANSACT_WRITES[kind]!;
      const resource = tableArn(scope, member(op, 'TableName'));
      out.set(`${action} ${resource}`, { action, resource });
    }
  }
  return out.size > 0 ? [...out.values()] : one(`dynamodb:${operation}`, tableArn(scope, undefined));
}
