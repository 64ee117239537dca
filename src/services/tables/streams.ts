/**
 * The DynamoDB Streams API (ListStreams, DescribeStream, GetShardIterator, GetRecords) over the
 * stream records the table backend writes with each change. Each stream has one shard, which
 * holds its records in commit order. Iterators are opaque tokens that expire after 15 minutes.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html
 */
import { createHash } from 'node:crypto';
import type { StoredStreamRecord, TableBackend } from './backend.ts';
import { constraint } from './constraints.ts';
import { TableError, validationError } from './errors.ts';
import type { TableOperation } from './service.ts';
import type { StreamViewType, TableDefinition } from './types.ts';

type Obj = Record<string, unknown>;

/** AWS keeps stream records for 24 hours. */
export const STREAM_RETENTION_MS = 24 * 3_600_000;
const ITERATOR_TTL_MS = 15 * 60_000;
const MAX_RECORDS = 1000;
const STREAM_ARN_RE =
  /^arn:aws[a-z-]*:dynamodb:([^:]*):(\d{12}):table\/([a-zA-Z0-9_.-]{3,255})\/stream\/(.+)$/;

/** The wire's SequenceNumber: the record's sequence, zero-padded to 21 digits. */
export const sequenceNumber = (seq: number) => String(seq).padStart(21, '0');

/** The one shard of a stream: a stable id derived from the stream. */
export function shardIdOf(stream: { arn: string; createdAt: number }): string {
  const h = createHash('sha256').update(stream.arn).digest('hex').slice(0, 8);
  return `shardId-${String(stream.createdAt).padStart(20, '0')}-${h}`;
}

/**
 * A stored record in the shape GetRecords carries, or (`lambda`) Lambda's DynamoDB event, which
 * spells the userIdentity's members in camel case.
 */
export function wireRecord(
  r: StoredStreamRecord,
  region: string,
  viewType: StreamViewType,
  lambda = false,
): Obj {
  return {
    eventID: createHash('sha256').update(`${r.streamArn}#${r.seq}`).digest('hex').slice(0, 32),
    eventName: r.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(r.createdAt / 1000),
      Keys: r.keys,
      ...(r.newImage ? { NewImage: r.newImage } : {}),
      ...(r.oldImage ? { OldImage: r.oldImage } : {}),
      SequenceNumber: sequenceNumber(r.seq),
      SizeBytes: r.sizeBytes,
      StreamViewType: viewType,
    },
    ...(r.byService
      ? {
          userIdentity: lambda
            ? { type: 'Service', principalId: 'dynamodb.amazonaws.com' }
            : { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' },
        }
      : {}),
  };
}

interface Iterator {
  arn: string;
  /** Records with seq greater than this are next. */
  after: number;
  issued: number;
}

/** The stream ARN a shard iterator reads (for authorizing GetRecords); undefined if it is none. */
export function iteratorStreamArn(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  try {
    const it = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<Iterator>;
    return typeof it.arn === 'string' ? it.arn : undefined;
  } catch {
    return undefined;
  }
}

export interface StreamsDeps {
  backend: TableBackend;
  now: () => number;
  region: string;
  table: (name: string) => Promise<TableDefinition>;
  tables: () => Promise<TableDefinition[]>;
}

export class StreamsApi {
  constructor(private readonly deps: StreamsDeps) {}

  operations(): Record<string, TableOperation> {
    return {
      ListStreams: (i) => this.listStreams(i),
      DescribeStream: (i) => this.describeStream(i),
      GetShardIterator: (i) => this.getShardIterator(i),
      GetRecords: (i) => this.getRecords(i),
    };
  }

  /** The stream an ARN names, with the table that has (or had) it. */
  async #stream(
    arn: unknown,
  ): Promise<{ table: TableDefinition; stream: NonNullable<TableDefinition['stream']> }> {
    if (typeof arn !== 'string') throw constraint(arn, 'streamArn', 'Member must not be null');
    const m = STREAM_ARN_RE.exec(arn);
    if (!m) throw validationError(`Invalid StreamArn: ${arn}`);
    const table = await this.deps.table(m[3]!).catch(() => undefined);
    const stream = table?.stream;
    if (!table || !stream || stream.arn !== arn)
      throw new TableError(
        'ResourceNotFoundException',
        `Requested resource not found: Stream: ${arn} not found`,
      );
    return { table, stream };
  }

  async listStreams(input: Obj): Promise<Obj> {
    const name = input.TableName;
    const tables = name === undefined ? await this.deps.tables() : [await this.deps.table(String(name))];
    const limit = typeof input.Limit === 'number' ? Math.max(1, Math.min(100, input.Limit)) : 100;
    const start =
      typeof input.ExclusiveStartStreamArn === 'string' ? input.ExclusiveStartStreamArn : undefined;
    const all = tables
      .filter((t) => t.stream)
      .map((t) => ({ StreamArn: t.stream!.arn, TableName: t.name, StreamLabel: t.stream!.label }))
      .sort((a, b) => (a.StreamArn < b.StreamArn ? -1 : 1))
      .filter((s) => start === undefined || s.StreamArn > start);
    const page = all.slice(0, limit);
    return {
      Streams: page,
      ...(all.length > limit ? { LastEvaluatedStreamArn: page[page.length - 1]!.StreamArn } : {}),
    };
  }

  async describeStream(input: Obj): Promise<Obj> {
    const { table, stream } = await this.#stream(input.StreamArn);
    const bounds = await this.deps.backend.streamBounds(stream.arn);
    const range: Obj = { StartingSequenceNumber: sequenceNumber(bounds?.first ?? 1) };
    if (!stream.enabled && bounds) range.EndingSequenceNumber = sequenceNumber(bounds.last);
    return {
      StreamDescription: {
        StreamArn: stream.arn,
        StreamLabel: stream.label,
        StreamStatus: stream.enabled ? 'ENABLED' : 'DISABLED',
        StreamViewType: stream.viewType,
        CreationRequestDateTime: stream.createdAt / 1000,
        TableName: table.name,
        KeySchema: [
          { AttributeName: table.key.hash.name, KeyType: 'HASH' },
          ...(table.key.range ? [{ AttributeName: table.key.range.name, KeyType: 'RANGE' }] : []),
        ],
        Shards: [{ ShardId: shardIdOf(stream), SequenceNumberRange: range }],
      },
    };
  }

  async getShardIterator(input: Obj): Promise<Obj> {
    const { stream } = await this.#stream(input.StreamArn);
    if (input.ShardId !== shardIdOf(stream))
      throw new TableError('ResourceNotFoundException', `Requested resource not found: Shard does not exist`);
    const type = input.ShardIteratorType;
    const bounds = await this.deps.backend.streamBounds(stream.arn);
    let after: number;
    if (type === 'TRIM_HORIZON') after = (bounds?.first ?? 1) - 1;
    else if (type === 'LATEST') after = bounds?.last ?? 0;
    else if (type === 'AT_SEQUENCE_NUMBER' || type === 'AFTER_SEQUENCE_NUMBER') {
      const text = input.SequenceNumber;
      if (typeof text !== 'string' || !/^\d{1,40}$/.test(text))
        throw validationError(
          'SequenceNumber must be specified for AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER',
        );
      const seq = Number(text);
      if (bounds && seq < bounds.first)
        throw new TableError(
          'ResourceNotFoundException',
          'TrimmedDataAccessException: the sequence number was trimmed',
        );
      after = type === 'AT_SEQUENCE_NUMBER' ? seq - 1 : seq;
    } else
      throw constraint(
        type,
        'shardIteratorType',
        'Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]',
      );
    return { ShardIterator: this.#iterator({ arn: stream.arn, after, issued: this.deps.now() }) };
  }

  async getRecords(input: Obj): Promise<Obj> {
    const it = this.#parseIterator(input.ShardIterator);
    if (this.deps.now() - it.issued > ITERATOR_TTL_MS)
      throw new TableError('ValidationException', 'ExpiredIteratorException: Iterator expired');
    const limit = input.Limit ?? MAX_RECORDS;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_RECORDS)
      throw constraint(limit, 'limit', `Member must have value less than or equal to ${MAX_RECORDS}`);
    const { stream } = await this.#stream(it.arn);
    const records = await this.deps.backend.streamRecords(it.arn, it.after, limit);
    const last = records.length > 0 ? records[records.length - 1]!.seq : it.after;
    const bounds = await this.deps.backend.streamBounds(it.arn);
    // A disabled stream's shard is closed: once read to its end, there is no next iterator.
    const closed = !stream.enabled && (!bounds || last >= bounds.last);
    return {
      Records: records.map((r) => wireRecord(r, this.deps.region, stream.viewType)),
      ...(closed
        ? {}
        : { NextShardIterator: this.#iterator({ arn: it.arn, after: last, issued: this.deps.now() }) }),
    };
  }

  #iterator(it: Iterator): string {
    return Buffer.from(JSON.stringify(it)).toString('base64url');
  }

  #parseIterator(value: unknown): Iterator {
    if (typeof value !== 'string' || value.length === 0 || value.length > 2048)
      throw constraint(value, 'shardIterator', 'Member must have length less than or equal to 2048');
    try {
      const it = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Iterator;
      if (typeof it.arn === 'string' && Number.isInteger(it.after) && Number.isFinite(it.issued)) return it;
    } catch {
      // Falls through to the error below.
    }
    throw validationError('Invalid ShardIterator');
  }
}
