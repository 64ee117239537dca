// Peer for the throughput bench: the least an HTTP → IPC → one-invocation-per-process design can
// do. A node:http server hands each request to an idle child (an echo) over IPC, or queues it.
// No auth, no validation, no logs, no timeouts: a ceiling, not a platform. CHILDREN sets the count.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';

const n = Number(process.env.CHILDREN ?? 8);
const child = new URL('./ipc-echo.mjs', import.meta.url).pathname;
const idle = Array.from({ length: n }, () => fork(child, [], { stdio: 'ignore', execArgv: [] }));
const queue = [];
const pending = new Map();
let seq = 0;

function dispatch(kid, job) {
  const id = ++seq;
  pending.set(id, job.res);
  kid.send({ id, event: job.event });
}
for (const kid of idle) {
  kid.on('message', (m) => {
    const res = pending.get(m.id);
    pending.delete(m.id);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 4 });
    res.end('"ok"');
    const next = queue.shift();
    if (next) dispatch(kid, next);
    else idle.push(kid);
  });
}
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const job = { res, event: JSON.parse(Buffer.concat(chunks).toString() || '{}') };
    const kid = idle.pop();
    if (kid) dispatch(kid, job);
    else queue.push(job);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
