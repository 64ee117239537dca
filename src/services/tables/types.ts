/**
 * DynamoDB's data model as Baton stores it: attribute values exactly as the wire carries them
 * (numbers stay decimal strings, binaries stay base64), items, and table definitions.
 */

/** One attribute value in DynamoDB's JSON form. Numbers are decimal strings, never floats. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { M: Record<string, AttributeValue> }
  | { L: AttributeValue[] }
  | { NULL: true }
  | { BOOL: boolean };

export type Item = Record<string, AttributeValue>;

/** The scalar types a key attribute may have. */
export type KeyType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  name: string;
  type: KeyType;
}

/** A table's or an index's key: a partition (hash) key and an optional sort (range) key. */
export interface KeySchema {
  hash: KeyAttribute;
  range?: KeyAttribute;
}

export interface Projection {
  type: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  /** For INCLUDE: the non-key attributes copied into the index. */
  nonKeyAttributes?: string[];
}

export interface IndexDefinition {
  name: string;
  /** Global (own partition key) or local (the table's partition key, another sort key). */
  kind: 'global' | 'local';
  key: KeySchema;
  projection: Projection;
  status: 'CREATING' | 'ACTIVE' | 'DELETING';
  /** ProvisionedThroughput as given (GSIs on PROVISIONED tables). */
  provisioned?: { read: number; write: number };
}

export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

export interface StreamDefinition {
  viewType: StreamViewType;
  /** The stream's label (an ISO time, as AWS forms it) and ARN. */
  label: string;
  arn: string;
  /** Epoch ms the stream was enabled. */
  createdAt: number;
  /** False once disabled: the stream is kept readable for 24 hours but takes no new records. */
  enabled: boolean;
}

/** A table as stored. */
export interface TableDefinition {
  name: string;
  arn: string;
  /** A stable id (AWS's TableId). */
  id: string;
  key: KeySchema;
  /** AttributeDefinitions as given (every key attribute of the table and its indexes). */
  attributes: KeyAttribute[];
  indexes: IndexDefinition[];
  billingMode: 'PROVISIONED' | 'PAY_PER_REQUEST';
  provisioned?: { read: number; write: number };
  /** The current stream, when one was ever enabled (the latest). */
  stream?: StreamDefinition;
  /** TimeToLiveSpecification: the attribute holding the epoch-seconds expiry. */
  ttl?: { attribute: string; enabled: boolean };
  status: 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING';
  deletionProtection: boolean;
  tags: Record<string, string>;
  /** Epoch ms. */
  createdAt: number;
}
