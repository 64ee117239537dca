// The cache workload, run the same way inside a Baton function (with `baton.cache`) and inside
// the bare fd-3 peer (with its own client): `n` gets or sets of one key, one at a time (latency)
// or `inFlight` at once (throughput), after a warm-up.
export async function measure(cache, { op, n, inFlight, value }) {
  await cache.set('bench-key', value);
  const one = op === 'get' ? () => cache.get('bench-key') : () => cache.set('bench-key', value);
  for (let i = 0; i < 2000; i++) await one();
  if (inFlight > 1) {
    let left = n;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (left-- > 0) await one();
      }),
    );
    return { opsPerSec: n / ((performance.now() - t0) / 1000) };
  }
  const lat = new Float64Array(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await one();
    lat[i] = performance.now() - s;
  }
  const secs = (performance.now() - t0) / 1000;
  lat.sort();
  return { p50: lat[Math.ceil(n * 0.5) - 1], p99: lat[Math.ceil(n * 0.99) - 1], opsPerSec: n / secs };
}
