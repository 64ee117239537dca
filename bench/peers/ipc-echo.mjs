// Baseline peer for the warm-overhead bench: the cheapest possible child IPC round trip.
process.on('message', (m) => process.send(m));
