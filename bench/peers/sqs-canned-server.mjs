// Ceiling peer for bench/sqs.ts: a node:http server that answers every SQS JSON call with a fixed,
// valid body, so the SDK's checks pass and its whole cost is paid: SendMessageBatch with 10
// Successful entries carrying the right MD5OfMessageBody, ReceiveMessage with 10 messages carrying
// the right MD5OfBody, DeleteMessageBatch with 10 Successful ids. The bench always sends the same
// 10 bodies (argv[2], a JSON array) with ids "0" to "9".
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

const bodies = JSON.parse(process.argv[2]);
const md5 = (s) => createHash('md5').update(s, 'utf8').digest('hex');
// About the size of Baton's receipt handles.
const handle = (i) => Buffer.from(`bench\n${randomUUID()}\n${'n'.repeat(16)}${i}`).toString('base64url');

let port = 0;
const answers = {
  SendMessageBatch: () => ({
    Successful: bodies.map((b, i) => ({ Id: String(i), MessageId: randomUUID(), MD5OfMessageBody: md5(b) })),
    Failed: [],
  }),
  ReceiveMessage: () => ({
    Messages: bodies.map((b, i) => ({
      MessageId: randomUUID(),
      ReceiptHandle: handle(i),
      MD5OfBody: md5(b),
      Body: b,
    })),
  }),
  DeleteMessageBatch: () => ({ Successful: bodies.map((_, i) => ({ Id: String(i) })), Failed: [] }),
  CreateQueue: () => ({ QueueUrl: `http://127.0.0.1:${port}/000000000000/bench` }),
};
// Fixed bytes per action, built once.
const canned = new Map();
const cannedFor = (action) => {
  let text = canned.get(action);
  if (text === undefined) {
    text = JSON.stringify(answers[action]?.() ?? {});
    canned.set(action, text);
  }
  return text;
};

const server = createServer((req, res) => {
  const action = String(req.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
  req.resume();
  req.on('end', () => {
    const text = cannedFor(action);
    res.writeHead(200, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': '00000000-0000-0000-0000-000000000000',
    });
    res.end(text);
  });
});
server.listen(0, '127.0.0.1', () => {
  port = server.address().port;
  process.stdout.write(`listening ${port}\n`);
});
