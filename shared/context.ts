/**
 * The typed context every entry point builds once and passes down: config, database, Redis,
 * queues, logger, templates and (for workers) the container runtime and the ingress. The worker's
 * context, the only one with a runtime, is built in worker/context.ts, so the API process never loads a
 * container engine's client. Tests build their own against the real services.
 */
import { Redis } from "ioredis";
import { hostname } from "node:os";
import type { Config } from "./config.js";
import { createProvider } from "./convergence/providers/index.js";
import type { ChatProvider } from "./convergence/types.js";
import { createDb, sessionLimits, type Db } from "./db/client.js";
import { createQueues, type Queues } from "./jobs.js";
import { configuredSecrets, createLogger, type Logger } from "./logger.js";
import type { Ingress } from "./ingress/types.js";
import type { ContainerRuntime } from "./runtime/types.js";
import { TemplateRegistry } from "./templates.js";

export interface AppContext {
  config: Config;
  db: Db;
  sql: ReturnType<typeof createDb>["sql"];
  /**
   * Where convergence calls are metered: its own pool, committing asynchronously unless
   * METERING_DURABLE_COMMIT is set (see docs/api.md, "Metering durability").
   */
  meteringDb: Db;
  redis: Redis;
  queues: Queues;
  logger: Logger;
  templates: TemplateRegistry;
  /** The model provider behind convergence calls (offline when none is configured). */
  llm: ChatProvider;
  /** Who acts, recorded on every tenant event. */
  actor: string;
  close(): Promise<void>;
}

export interface WorkerContext extends AppContext {
  runtime: ContainerRuntime;
  /** The reverse proxy giving each tenant its HTTPS hostname (shared/ingress/). */
  ingress: Ingress;
}

export function createRedis(url: string): Redis {
  // BullMQ needs maxRetriesPerRequest: null so blocking commands survive a Redis restart.
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

export function createAppContext(config: Config, role: "api" | "worker" | "cli"): AppContext {
  const limits = sessionLimits(config);
  const { db, sql } = createDb(config.DATABASE_URL, role === "cli" ? 2 : 10, limits);
  const metering = role === "api" ? createDb(config.DATABASE_URL, 5, { ...limits, ...(config.METERING_DURABLE_COMMIT ? {} : { synchronous_commit: "off" }) }) : { db, sql };
  const redis = createRedis(config.REDIS_URL);
  const queues = createQueues(redis, config);
  const logger = createLogger({ level: config.LOG_LEVEL, name: role, secrets: configuredSecrets(config) });
  return {
    config,
    db,
    sql,
    meteringDb: metering.db,
    redis,
    queues,
    logger,
    templates: new TemplateRegistry(config.TEMPLATES_DIR),
    llm: createProvider(config),
    actor: role === "worker" ? `worker:${hostname()}:${process.pid}` : role,
    async close() {
      await queues.close();
      redis.disconnect();
      if (metering.sql !== sql) await metering.sql.end({ timeout: 5 });
      await sql.end({ timeout: 5 });
    },
  };
}
