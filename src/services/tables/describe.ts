/**
 * DescribeTable's TableDescription (also CreateTable's, UpdateTable's and DeleteTable's answer).
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html
 */
import type { IndexDefinition, KeySchema, TableDefinition } from './types.ts';

const keySchema = (k: KeySchema) => [
  { AttributeName: k.hash.name, KeyType: 'HASH' },
  ...(k.range ? [{ AttributeName: k.range.name, KeyType: 'RANGE' }] : []),
];

const projection = (ix: IndexDefinition) => ({
  ProjectionType: ix.projection.type,
  ...(ix.projection.nonKeyAttributes ? { NonKeyAttributes: ix.projection.nonKeyAttributes } : {}),
});

const throughput = (p: { read: number; write: number } | undefined) => ({
  NumberOfDecreasesToday: 0,
  ReadCapacityUnits: p?.read ?? 0,
  WriteCapacityUnits: p?.write ?? 0,
});

/** Epoch seconds with milliseconds, as awsJson sends timestamps. */
const seconds = (ms: number) => ms / 1000;

export function describeTable(
  def: TableDefinition,
  stats: { count: number; bytes: number },
  status: TableDefinition['status'] = def.status,
): Record<string, unknown> {
  const gsis = def.indexes.filter((i) => i.kind === 'global');
  const lsis = def.indexes.filter((i) => i.kind === 'local');
  const stream = def.stream;
  return {
    AttributeDefinitions: def.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    TableName: def.name,
    KeySchema: keySchema(def.key),
    TableStatus: status,
    CreationDateTime: seconds(def.createdAt),
    ProvisionedThroughput: throughput(def.provisioned),
    TableSizeBytes: stats.bytes,
    ItemCount: stats.count,
    TableArn: def.arn,
    TableId: def.id,
    BillingModeSummary: { BillingMode: def.billingMode },
    ...(lsis.length > 0
      ? {
          LocalSecondaryIndexes: lsis.map((ix) => ({
            IndexName: ix.name,
            KeySchema: keySchema(ix.key),
            Projection: projection(ix),
            IndexSizeBytes: 0,
            ItemCount: 0,
            IndexArn: `${def.arn}/index/${ix.name}`,
          })),
        }
      : {}),
    ...(gsis.length > 0
      ? {
          GlobalSecondaryIndexes: gsis.map((ix) => ({
            IndexName: ix.name,
            KeySchema: keySchema(ix.key),
            Projection: projection(ix),
            IndexStatus: ix.status,
            ProvisionedThroughput: throughput(ix.provisioned),
            IndexSizeBytes: 0,
            ItemCount: 0,
            IndexArn: `${def.arn}/index/${ix.name}`,
          })),
        }
      : {}),
    ...(stream?.enabled
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: stream.viewType } }
      : {}),
    ...(stream ? { LatestStreamLabel: stream.label, LatestStreamArn: stream.arn } : {}),
    DeletionProtectionEnabled: def.deletionProtection,
  };
}
