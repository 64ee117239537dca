// Ceiling peer for bench/tables.ts: a node:http server that answers every DynamoDB call with a
// fixed, valid body, so the SDK parses and unmarshals what it would from a real server and its
// whole cost is paid: GetItem returns the bench's item, Query a page of 10 items with a
// LastEvaluatedKey. argv[2] is `{ item, page }` in DynamoDB's wire format.
import { createServer } from 'node:http';
import { crc32 } from 'node:zlib';

const { item, page } = JSON.parse(process.argv[2]);
const table = {
  TableName: 'bench',
  TableStatus: 'ACTIVE',
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
};
const last = page[page.length - 1];
const answers = {
  CreateTable: { TableDescription: table },
  DescribeTable: { Table: table },
  PutItem: {},
  GetItem: { Item: item },
  Query: {
    Items: page,
    Count: page.length,
    ScannedCount: page.length,
    LastEvaluatedKey: { pk: last.pk, sk: last.sk },
  },
};
// Fixed bytes per action, built once.
const canned = new Map(
  Object.entries(answers).map(([action, body]) => {
    const bytes = Buffer.from(JSON.stringify(body));
    return [action, { bytes, crc: String(crc32(bytes)) }];
  }),
);
const unknown = Buffer.from('{"__type":"com.amazon.coral.service#UnknownOperationException"}');

const server = createServer((req, res) => {
  const action = String(req.headers['x-amz-target'] ?? '').replace('DynamoDB_20120810.', '');
  req.resume();
  req.on('end', () => {
    const answer = canned.get(action);
    res.writeHead(answer ? 200 : 400, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': (answer?.bytes ?? unknown).length,
      'x-amzn-requestid': '00000000-0000-0000-0000-000000000000',
      ...(answer ? { 'x-amz-crc32': answer.crc } : {}),
    });
    res.end(answer?.bytes ?? unknown);
  });
});
// As Baton's: the bench's clients sit idle while the other servers run.
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
