/**
 * The one reconnecting Postgres LISTEN of the platform: a dedicated connection that LISTENs on a
 * few channels and keeps re-subscribing, with back-off, when the connection is lost, however long
 * Postgres stays away (postgres.js's own `listen` gives up after one failed attempt). Used by the
 * auth caches, the tenant status feed and the worker's webhook dispatcher:
 *
 * - `isListening` says whether notifications can be trusted to arrive right now; a cache must not
 *   answer from memory while it is false.
 * - `onReset` fires whenever notifications may have been missed (the connection closed, and again
 *   once it is back): the cue to forget everything cached.
 * - `onListen` fires every time the LISTEN is in place, the first time and after each reconnect:
 *   the cue to re-read whatever state a gap may have hidden.
 */
import postgres from "postgres";
import type { Logger } from "../logger.js";

export class PgListener {
  private readonly sql: postgres.Sql;
  private readonly handlers = new Map<string, Array<(payload: string) => void>>();
  private readonly resetHandlers: Array<() => void> = [];
  private readonly listenHandlers: Array<() => void> = [];
  private listening = false;
  private stopped = false;
  /** Bumped on every close: a subscription that straddles a close must not count as listening. */
  private connection = 0;
  private attempt: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;

  constructor(
    databaseUrl: string,
    private readonly channels: readonly string[],
    private readonly logger: Logger,
    /** Shown in pg_stat_activity, so an operator (or a test) can find this connection. */
    applicationName: string,
  ) {
    const options = {
      max: 1,
      idle_timeout: 0, // the LISTEN must outlive idle periods
      max_lifetime: null,
      connect_timeout: 5,
      fetch_types: false,
      connection: { application_name: applicationName },
      onnotice: () => {},
      // postgres.js's own `listen` is built on these connection options; its typings leave them out.
      onnotify: (channel: string, payload: string) => this.received(channel, payload),
      onclose: () => this.onClose(),
    };
    this.sql = postgres(databaseUrl, options);
  }

  onNotify(channel: string, fn: (payload: string) => void): void {
    if (!this.channels.includes(channel)) throw new Error(`not listening on ${channel}`);
    this.handlers.set(channel, [...(this.handlers.get(channel) ?? []), fn]);
  }

  onReset(fn: () => void): void {
    this.resetHandlers.push(fn);
  }

  /** Called each time the LISTEN is (re)established; notifications sent before then may be lost. */
  onListen(fn: () => void): void {
    this.listenHandlers.push(fn);
  }

  get isListening(): boolean {
    return this.listening;
  }

  /** Subscribes; resolves once listening, or after the first failure (retries go on in the background). */
  async start(): Promise<void> {
    await this.subscribe();
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.listening = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.sql.end({ timeout: 2 });
  }

  private received(channel: string, payload: string) {
    for (const fn of this.handlers.get(channel) ?? []) {
      try {
        fn(payload);
      } catch (err) {
        this.logger.warn({ err, channel }, "a notification handler failed");
      }
    }
  }

  private reset() {
    for (const fn of this.resetHandlers) fn();
  }

  private listened() {
    for (const fn of this.listenHandlers) {
      try {
        fn();
      } catch (err) {
        this.logger.warn({ err, channels: this.channels }, "a LISTEN handler failed");
      }
    }
  }

  private onClose() {
    this.connection++;
    const wasListening = this.listening;
    this.listening = false;
    this.reset();
    if (this.stopped) return;
    if (wasListening) this.logger.warn({ channels: this.channels }, "LISTEN connection lost; re-subscribing");
    this.scheduleRetry();
  }

  private subscribe(): Promise<void> {
    this.attempt ??= (async () => {
      const connection = this.connection;
      try {
        for (const channel of this.channels) await this.sql`listen ${this.sql(channel)}`;
        if (this.stopped) return;
        // The connection closed between two LISTENs: the next attempt starts over on a new one.
        if (connection !== this.connection) throw new Error("connection closed while subscribing");
        this.listening = true;
        if (this.failures > 0) this.logger.info({ channels: this.channels, afterFailures: this.failures }, "LISTEN restored");
        this.failures = 0;
        // Whatever changed while nobody listened went unannounced.
        this.reset();
        this.listened();
      } catch (err) {
        if (this.failures++ === 0) this.logger.warn({ err, channels: this.channels }, "cannot LISTEN; retrying with back-off");
        this.scheduleRetry();
      } finally {
        this.attempt = null;
      }
    })();
    return this.attempt;
  }

  private scheduleRetry() {
    if (this.stopped || this.retryTimer) return;
    const delay = Math.min(5_000, 250 * 2 ** Math.min(this.failures, 5));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.listening) void this.subscribe();
    }, delay);
    this.retryTimer.unref();
  }
}
