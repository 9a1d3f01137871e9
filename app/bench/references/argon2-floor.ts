// Reference for login: argon2id verification alone, in its own process, with the app's parameters and
// the same number of verifications in flight as the app allows (ARGON2_CONCURRENCY). It is the floor
// of a login: no HTTP, no database, no token. run.ts reads login as a ratio to it.
import argon2 from 'argon2';

const memoryCost = Number(process.env.ARGON2_MEMORY_KIB);
const timeCost = Number(process.env.ARGON2_ITERATIONS);
const parallelism = Number(process.env.ARGON2_PARALLELISM);
const inFlight = Number(process.env.ARGON2_CONCURRENCY);
const seconds = Number(process.env.BENCH_SECONDS);

const password = 'a measured passphrase 1';
const hash = await argon2.hash(password, { type: argon2.argon2id, memoryCost, timeCost, parallelism });
// One verification per lane first, so the thread pool is up before the clock starts.
await Promise.all(Array.from({ length: inFlight }, () => argon2.verify(hash, password)));

const stopAt = performance.now() + seconds * 1000;
const latencies: number[] = [];
let peakRss = 0;
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (performance.now() < stopAt) {
      const started = performance.now();
      if (!(await argon2.verify(hash, password))) throw new Error('argon2 floor: verification failed');
      const finished = performance.now();
      // Counted in the window it completes in, as the load generator counts requests: a verification
      // started before the end and finished after it is not (it added up to one per lane).
      if (finished <= stopAt) latencies.push(finished - started);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
  }),
);
latencies.sort((a, b) => a - b);
const at = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))]! * 100) / 100;
// The parent disconnects once it has the answer; with nothing else pending, the process then ends.
process.send?.({ result: { requests: latencies.length, seconds, requestsPerSecond: latencies.length / seconds, p50Ms: at(50), p99Ms: at(99), non2xx: {}, errors: 0, rssBytes: peakRss } });
