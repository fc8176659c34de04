/**
 * Node options the API and the workers run with in production: `npm start` (scripts/start.ts),
 * `npm run api|worker` (package.json) and the Docker image (NODE_OPTIONS in the Dockerfile) all
 * use this one setting; keep them in step.
 *
 * --max-semi-space-size=4: V8's young generation is two semi-spaces of up to 16 MB each (plus a
 * third while scavenging) by default, and a busy process grows them to the maximum and keeps
 * them. With 4 MB ones a worker with 100 ready tenants stays near 135 MB resident instead of
 * 180-200 MB, and the API near 110 MB instead of 140 (README, `npm run bench:memory`); short-lived
 * request and job garbage is scavenged a little more often, which the status benchmark does not
 * show.
 */
export const nodeFlags = ["--max-semi-space-size=4"];
