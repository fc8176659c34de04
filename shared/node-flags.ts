/**
 * Node options the API and the workers run with in production: `npm start` (scripts/start.ts),
 * `npm run api|worker` (package.json), the Docker image's CMD and docker-compose.yml all use
 * these; keep them in step.
 *
 * --max-semi-space-size: V8's young generation is two semi-spaces of up to 16 MB each by
 * default, and a busy process grows them to the maximum and keeps them. A worker with 100 ready
 * tenants stayed at 180-200 MB resident with the default and near 130 MB with 4 MB semi-spaces
 * (bench/RESULTS.md, `npm run bench:memory`). Smaller semi-spaces mean more frequent scavenges: the API,
 * whose requests allocate more per unit of work, gets 8 MB, the middle ground between its
 * throughput and its memory.
 */
export const nodeFlags = {
  api: ["--max-semi-space-size=8"],
  worker: ["--max-semi-space-size=4"],
} as const;
