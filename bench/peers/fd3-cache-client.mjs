// Peer for the cache bench: a bare child process with the runner's channel (newline-delimited
// JSON on fd 3) and a minimal cache client, running the same workload as the function. What it
// measures is the channel's own round trip, with a plain Map answering on the other side.
import { Socket } from 'node:net';
import { measure } from './cache-workload.mjs';

const channel = new Socket({ fd: 3, readable: true, writable: true });
const pending = new Map();
let nextId = 0;
const request = (op) =>
  new Promise((resolve) => {
    const id = ++nextId;
    channel.write(`${JSON.stringify({ t: 'cache', id, ...op })}\n`);
    pending.set(id, resolve);
  });
const cache = {
  get: (key) => request({ op: 'get', key }),
  set: (key, value) => request({ op: 'set', key, value }),
};

let partial = [];
channel.on('data', (chunk) => {
  let start = 0;
  for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
    let line = chunk.subarray(start, nl);
    if (partial.length > 0) {
      line = Buffer.concat([...partial, line]);
      partial = [];
    }
    start = nl + 1;
    const m = JSON.parse(line.toString('utf8'));
    if (m.t === 'cache-reply') {
      const resolve = pending.get(m.id);
      pending.delete(m.id);
      resolve(m.value);
    } else if (m.t === 'run') {
      measure(cache, m).then((result) => channel.write(`${JSON.stringify({ t: 'result', result })}\n`));
    }
  }
  if (start < chunk.length) partial.push(chunk.subarray(start));
});
channel.on('close', () => process.exit(0));
