import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { signRequest } from '../../src/aws/sigv4-sign.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const S = (s: string) => ({ S: s });
const N = (n: string) => ({ N: n });

/**
 * Requests DynamoDB refuses, sent through `@aws-sdk/client-dynamodb` (and, for what the SDK
 * would never send, as signed raw JSON) to a real `baton up`. Each must get AWS's error name and
 * message, and the server must go on serving. Messages follow real DynamoDB as captured by the
 * DynamoDB conformance suite and by dynalite's AWS-checked tests; moto was compared by hand.
 */
describe('the DynamoDB API refuses bad input with AWS errors', () => {
  let s: ServerProcess;
  let ddb: DynamoDBClient;
  const TableName = 'bad';
  const Key = { pk: S('a'), sk: S('1') };

  before(async () => {
    s = await startServerProcess();
    ddb = new DynamoDBClient({
      endpoint: s.controlUrl,
      region: 'us-east-1',
      credentials: s.credentials,
      maxAttempts: 1,
    });
    await ddb.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'g', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'by-g',
            KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await ddb.send(
      new PutItemCommand({
        TableName,
        Item: { ...Key, n: N('5'), s: S('x'), l: { L: [N('1')] }, tags: { SS: ['a'] } },
      }),
    );
  });
  after(async () => {
    ddb.destroy();
    await s.stop();
  });

  /** Sends a command; it must fail with `name` and `message` (exact, or a pattern). */
  async function refused(
    // Any of the client's commands (its `send` overloads defeat a precise parameter type).
    command: object,
    message: string | RegExp,
    name = 'ValidationException',
  ): Promise<void> {
    await assert.rejects(
      ddb.send(command as never),
      (e: unknown) => {
        const err = e as { name: string; message: string; $metadata: { httpStatusCode?: number } };
        assert.equal(err.name, name, err.message);
        if (typeof message === 'string') assert.equal(err.message, message);
        else assert.match(err.message, message);
        assert.equal(err.$metadata.httpStatusCode, 400);
        return true;
      },
      String(message),
    );
  }

  /** A signed raw request, for bodies the SDK would never send. */
  async function raw(
    action: string,
    body: string,
  ): Promise<{ status: number; type: string | undefined; message: string | undefined }> {
    const url = new URL(`${s.controlUrl}/`);
    const headers = signRequest(
      'POST',
      url,
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${action}` },
      body,
      s.credentials,
      { region: 'us-east-1', service: 'dynamodb', now: Date.now() },
    );
    delete headers.host;
    const res = await fetch(url, { method: 'POST', headers, body });
    const out = (await res.json()) as { __type?: string; message?: string };
    return { status: res.status, type: out.__type?.split('#')[1], message: out.message };
  }

  /** The server still answers, and the item is as it was. */
  async function stillServing(): Promise<void> {
    const got = await ddb.send(new GetItemCommand({ TableName, Key, ConsistentRead: true }));
    assert.deepEqual(got.Item?.n, N('5'));
  }

  it('refuses malformed expressions with the syntax error and its token', async () => {
    const update = (UpdateExpression: string, extra: Partial<UpdateItemCommandInput> = {}) =>
      new UpdateItemCommand({ TableName, Key, UpdateExpression, ...extra });
    const v = { ExpressionAttributeValues: { ':v': N('1') } };
    await refused(update('SET a ='), 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "="');
    await refused(
      update('SET a = :v,', v),
      'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","',
    );
    await refused(update('SET a :v', v), 'Invalid UpdateExpression: Syntax error; token: ":v", near: "a :v"');
    await refused(
      update('PUT a = :v', v),
      'Invalid UpdateExpression: Syntax error; token: "PUT", near: "PUT a"',
    );
    await refused(
      update('SET my-attr = :v', v),
      'Invalid UpdateExpression: Syntax error; token: "-", near: "my-attr"',
    );
    await refused(update(''), 'Invalid UpdateExpression: The expression can not be empty;');
    await refused(
      update('SET a = :v SET b = :v', v),
      'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;',
    );
    await refused(
      update('SET a = :v', { ...v, ConditionExpression: 'attribute_exists(a) AND' }),
      'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"',
    );
    await refused(
      update('SET a = :v', { ...v, ConditionExpression: 'foo(a)' }),
      'Invalid ConditionExpression: Invalid function name; function: foo',
    );
    await refused(
      update('SET a = :v', { ...v, ConditionExpression: '((a = :v))' }),
      'Invalid ConditionExpression: The expression has redundant parentheses;',
    );
    await refused(
      update('SET a = :v', { ...v, ConditionExpression: 'a BETWEEN :v' }),
      'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":v"',
    );
    await refused(
      new GetItemCommand({ TableName, Key, ProjectionExpression: '!!! INVALID !!!' }),
      'Invalid ProjectionExpression: Syntax error; token: "!", near: "!!"',
    );
    await refused(
      new GetItemCommand({ TableName, Key, ProjectionExpression: 'a, a.b' }),
      'Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]',
    );
    await refused(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :p AND',
        ExpressionAttributeValues: { ':p': S('a') },
      }),
      'Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "AND"',
    );
    await stillServing();
  });

  it('refuses reserved words, undefined placeholders and unused ones', async () => {
    const v = { ':v': N('1') };
    await refused(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'SET status = :v',
        ExpressionAttributeValues: v,
      }),
      'Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status',
    );
    await refused(
      new PutItemCommand({ TableName, Item: Key, ConditionExpression: 'attribute_not_exists(name)' }),
      'Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name',
    );
    await refused(
      new GetItemCommand({ TableName, Key, ProjectionExpression: 'pk, size' }),
      'Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: size',
    );
    await refused(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'SET a = :nope',
        ExpressionAttributeValues: v,
      }),
      'Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :nope',
    );
    await refused(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'SET #nope = :v',
        ExpressionAttributeValues: v,
      }),
      'Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #nope',
    );
    await refused(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'SET a = :v',
        ExpressionAttributeValues: { ...v, ':unused': N('2') },
      }),
      'Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}',
    );
    await refused(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :v',
        ExpressionAttributeValues: { ':v': S('a') },
        ExpressionAttributeNames: { '#unused': 'x' },
      }),
      'Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}',
    );
    await refused(
      new PutItemCommand({ TableName, Item: Key, ExpressionAttributeValues: { ':v': S('unused') } }),
      'ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null',
    );
    await refused(
      new UpdateItemCommand({ TableName, Key, ExpressionAttributeValues: v }),
      'ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null',
    );
    await refused(
      new GetItemCommand({ TableName, Key, ExpressionAttributeNames: { '#a': 'a' } }),
      'ExpressionAttributeNames can only be specified when using expressions',
    );
    await refused(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'SET a = :v',
        ExpressionAttributeValues: {},
      }),
      'ExpressionAttributeValues must not be empty',
    );
    await refused(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'SET a = :v',
        ExpressionAttributeValues: { v: N('1') },
      }),
      'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"',
    );
    await stillServing();
  });

  it('refuses wrong, missing, extra, empty and oversized keys', async () => {
    const get = (k: Record<string, { S: string } | { N: string }>) =>
      new GetItemCommand({ TableName, Key: k });
    await refused(get({ pk: N('1'), sk: S('1') }), 'The provided key element does not match the schema');
    await refused(get({ pk: S('a') }), 'The provided key element does not match the schema');
    await refused(get({ ...Key, extra: S('x') }), 'The provided key element does not match the schema');
    await refused(
      get({ pk: S(''), sk: S('1') }),
      'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk',
    );
    await refused(
      new DeleteItemCommand({ TableName, Key: { pk: S('a'), sk: N('1') } }),
      'The provided key element does not match the schema',
    );
    const put = (Item: PutItemCommandInput['Item']) => new PutItemCommand({ TableName, Item });
    await refused(
      put({ pk: S('a') }),
      'One or more parameter values were invalid: Missing the key sk in the item',
    );
    await refused(
      put({ pk: N('1'), sk: S('1') }),
      'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N',
    );
    await refused(
      put({ ...Key, g: S('x') }),
      'One or more parameter values were invalid: Type mismatch for Index Key g Expected: N Actual: S IndexName: by-g',
    );
    await refused(
      put({ pk: S('x'.repeat(2049)), sk: S('1') }),
      'One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes',
    );
    await refused(
      put({ pk: S('a'), sk: S('é'.repeat(513)) }),
      'One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes',
    );
    // A batch write reports a put's key problem as a key mismatch.
    await refused(
      new BatchWriteItemCommand({
        RequestItems: { [TableName]: [{ PutRequest: { Item: { pk: N('1'), sk: S('1') } } }] },
      }),
      'The provided key element does not match the schema',
    );
    await refused(
      new BatchWriteItemCommand({ RequestItems: {} }),
      'The requestItems parameter is required for BatchWriteItem',
    );
    // Keys may not be updated.
    await refused(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'SET sk = :v',
        ExpressionAttributeValues: { ':v': S('2') },
      }),
      'One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key',
    );
    await stillServing();
  });

  it('refuses items over 400 KB, invalid numbers, empty and duplicate sets', async () => {
    const big = 'x'.repeat(400 * 1024);
    await refused(
      new PutItemCommand({ TableName, Item: { ...Key, big: S(big) } }),
      'Item size has exceeded the maximum allowed size',
    );
    await refused(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'SET big = :b',
        ExpressionAttributeValues: { ':b': S(big) },
      }),
      'Item size to update has exceeded the maximum allowed size',
    );
    await refused(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName, Item: { ...Key, big: S(big) } } }],
      }),
      'Item size has exceeded the maximum allowed size',
    );
    const put = (value: Record<string, unknown>) =>
      new PutItemCommand({ TableName, Item: { ...Key, v: value as { S: string } } });
    await refused(put({ N: 'abc' }), 'The parameter cannot be converted to a numeric value: abc');
    await refused(put({ N: '1.2.3' }), 'The parameter cannot be converted to a numeric value: 1.2.3');
    await refused(
      put({ N: '1234567890123456789012345678901234567890' }),
      'Attempting to store more than 38 significant digits in a Number',
    );
    await refused(
      put({ N: '1E126' }),
      'Number overflow. Attempting to store a number with magnitude larger than supported range',
    );
    await refused(
      put({ N: '1E-131' }),
      'Number underflow. Attempting to store a number with magnitude smaller than supported range',
    );
    await refused(
      put({ SS: [] }),
      'One or more parameter values were invalid: An string set  may not be empty',
    );
    await refused(
      put({ NS: [] }),
      'One or more parameter values were invalid: An number set  may not be empty',
    );
    await refused(
      put({ BS: [] }),
      'One or more parameter values were invalid: Binary sets should not be empty',
    );
    await refused(
      put({ SS: ['a', 'a'] }),
      /^One or more parameter values were invalid: Input collection .* contains duplicates\.$/,
    );
    await refused(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'SET v = :v',
        ExpressionAttributeValues: { ':v': { NS: [] } },
      }),
      'ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An number set  may not be empty for key :v',
    );
    await refused(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'ADD n :v',
        ExpressionAttributeValues: { ':v': S('1') },
      }),
      'Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING',
    );
    await refused(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'ADD s :v',
        ExpressionAttributeValues: { ':v': N('1') },
      }),
      'An operand in the update expression has an incorrect data type',
    );
    await stillServing();
  });

  it('refuses misused queries and scans', async () => {
    const query = (input: Partial<QueryCommandInput>) => new QueryCommand({ TableName, ...input });
    const p = { ':p': S('a') };
    await refused(
      query({ KeyConditionExpression: 'sk = :p', ExpressionAttributeValues: p }),
      'Query condition missed key schema element: pk',
    );
    await refused(
      query({ KeyConditionExpression: 'pk > :p', ExpressionAttributeValues: p }),
      'Query key condition not supported',
    );
    await refused(
      query({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': N('1') } }),
      'One or more parameter values were invalid: Condition parameter type does not match schema type',
    );
    await refused(
      query({ KeyConditionExpression: 'pk = :p OR sk = :p', ExpressionAttributeValues: p }),
      'Invalid operator used in KeyConditionExpression: OR',
    );
    await refused(
      query({ KeyConditionExpression: 'pk = :p AND sk.x = :p', ExpressionAttributeValues: p }),
      'KeyConditionExpressions cannot have conditions on nested attributes',
    );
    await refused(
      query({ KeyConditionExpression: '', ExpressionAttributeValues: p }),
      'Invalid KeyConditionExpression: The expression can not be empty;',
    );
    await refused(
      query({ KeyConditionExpression: 'pk = :p', FilterExpression: 'sk = :p', ExpressionAttributeValues: p }),
      'Filter Expression can only contain non-primary key attributes: Primary key attribute: sk',
    );
    await refused(
      query({
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: p,
        ExclusiveStartKey: { pk: S('b'), sk: S('1') },
      }),
      'The provided starting key is outside query boundaries based on provided conditions',
    );
    await refused(
      query({
        KeyConditionExpression: 'pk = :p AND sk < :s',
        ExpressionAttributeValues: { ...p, ':s': S('2') },
        ExclusiveStartKey: { pk: S('a'), sk: S('5') },
      }),
      'The provided starting key does not match the range key predicate',
    );
    await refused(
      query({
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: p,
        ExclusiveStartKey: { pk: S('a') },
      }),
      'The provided starting key is invalid',
    );
    await refused(
      new ScanCommand({ TableName, ExclusiveStartKey: { pk: S('a') } }),
      'The provided starting key is invalid: The provided key element does not match the schema',
    );
    await refused(
      query({
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: p,
        Select: 'SPECIFIC_ATTRIBUTES',
      }),
      'SPECIFIC_ATTRIBUTES requires a ProjectionExpression',
    );
    await refused(
      new ScanCommand({ TableName, Select: 'COUNT', ProjectionExpression: 'n' }),
      'Cannot specify the ProjectionExpression when choosing to get COUNT',
    );
    await refused(
      new ScanCommand({ TableName, Limit: 0 }),
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    await refused(
      new ScanCommand({ TableName, TotalSegments: 4 }),
      'The Segment parameter is required but was not present in the request when parameter TotalSegments is present',
    );
    await refused(
      new ScanCommand({ TableName: 'nope' }),
      'Requested resource not found',
      'ResourceNotFoundException',
    );
    await refused(
      new PutItemCommand({ TableName: undefined as unknown as string, Item: Key }),
      "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
    );
    await stillServing();
  });

  it('answers malformed JSON, wrong JSON types and unknown operations', async () => {
    const notJson = await raw('PutItem', '{"TableName": "bad", ');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.type, 'SerializationException');
    const notObject = await raw('PutItem', '[1, 2]');
    assert.equal(notObject.type, 'SerializationException');
    const numberAsNumber = await raw(
      'PutItem',
      JSON.stringify({ TableName, Item: { pk: { S: 'a' }, sk: { S: '1' }, n: { N: 5 } } }),
    );
    assert.equal(numberAsNumber.status, 400);
    assert.equal(numberAsNumber.type, 'SerializationException');
    assert.equal(numberAsNumber.message, 'NUMBER_VALUE cannot be converted to String');
    const emptyValue = await raw(
      'PutItem',
      JSON.stringify({ TableName, Item: { pk: { S: 'a' }, sk: { S: '1' }, v: {} } }),
    );
    assert.equal(emptyValue.type, 'ValidationException');
    assert.equal(
      emptyValue.message,
      'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes',
    );
    const twoTypes = await raw(
      'PutItem',
      JSON.stringify({ TableName, Item: { pk: { S: 'a' }, sk: { S: '1' }, v: { S: 'x', N: '1' } } }),
    );
    assert.equal(
      twoTypes.message,
      'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes',
    );
    const unknown = await raw('FlyToTheMoon', '{}');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.type, 'UnknownOperationException');
    await stillServing();
  });
});
