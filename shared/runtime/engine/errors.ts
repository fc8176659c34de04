/** What dockerode throws, as both drivers read it. */

/** An error from the engine's API: its HTTP status and the engine's own message. */
export type DockerError = Error & { statusCode?: number; json?: { message?: string } };

/** The HTTP status the engine answered a failed call with (404: no such object, 409: conflict, 304: no change), if any. */
export const engineStatus = (err: unknown): number | undefined => (err as DockerError)?.statusCode;
