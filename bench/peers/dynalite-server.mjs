// Peer for bench/tables.ts: dynalite (npm), in memory, in its own process so that its CPU is read
// the same way as Baton's. Tables turn ACTIVE at once, as Baton's do.
import dynalite from 'dynalite';

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
// As Baton's: the bench's clients sit idle while the other servers run, and must find their
// connections open (node's default of 5 s closes them as the client reuses them).
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
