/**
 * Where the CLI finds the API and its credential. `convergence login` stores named contexts (one
 * per installation: a URL and its token) in $XDG_CONFIG_HOME/convergence/config.json
 * (~/.config by default), a file only its owner can read (0600, in a 0700 directory), and marks
 * one current. A command uses `--context <name>` (or CONVERGENCE_CONTEXT), else the current
 * one; CONVERGENCE_URL and CONVERGENCE_TOKEN override what the context holds. A file written by
 * an older CLI (`{"url","token"}`) is read as the context "default".
 */
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

export interface Credentials {
  url: string;
  token: string;
}

export interface StoredConfig {
  current: string | null;
  contexts: Record<string, Credentials>;
}

export const DEFAULT_CONTEXT = "default";

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), ".config");
  return join(base, "convergence");
}

export const configFile = (env: NodeJS.ProcessEnv = process.env) => join(configDir(env), "config.json");

const isCredentials = (v: unknown): v is Credentials => typeof v === "object" && v !== null && typeof (v as Credentials).url === "string" && typeof (v as Credentials).token === "string";

export async function readConfig(env: NodeJS.ProcessEnv = process.env): Promise<StoredConfig> {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(await readFile(configFile(env), "utf8")) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { current: null, contexts: {} };
    throw new Error(`cannot read ${configFile(env)}: ${(err as Error).message}`);
  }
  if (isCredentials(parsed)) return { current: DEFAULT_CONTEXT, contexts: { [DEFAULT_CONTEXT]: { url: parsed.url, token: parsed.token } } };
  const contexts = Object.fromEntries(Object.entries((parsed.contexts as Record<string, unknown>) ?? {}).filter((e): e is [string, Credentials] => isCredentials(e[1])));
  const current = typeof parsed.current === "string" && parsed.current in contexts ? parsed.current : null;
  return { current, contexts };
}

/** Written to a temporary file with mode 0600 and renamed into place, so no reader ever sees a partial or open file. */
export async function writeConfig(config: StoredConfig, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const file = configFile(env);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600); // whatever the umask did
  await rename(tmp, file);
  return file;
}

/** Stores `credentials` as context `name` and makes it the current one. */
export async function store(credentials: Credentials, name = DEFAULT_CONTEXT, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const config = await readConfig(env);
  return writeConfig({ current: name, contexts: { ...config.contexts, [name]: credentials } }, env);
}

/** The context a command uses: `--context`, else CONVERGENCE_CONTEXT, else the current one. */
export function contextName(config: StoredConfig, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  return flag || env.CONVERGENCE_CONTEXT || config.current;
}

export interface Resolved extends Partial<Credentials> {
  /** The context the stored part came from, if any. */
  context: string | null;
  /** Where the token came from: the environment, the context, or nowhere. */
  tokenFrom: "environment" | "context" | null;
}

/** Environment first, then the context; either part may be missing. An unknown `--context` is an error. */
export async function resolveCredentials(flag?: string, env: NodeJS.ProcessEnv = process.env): Promise<Resolved> {
  const config = await readConfig(env);
  const name = contextName(config, flag, env);
  const stored = name ? config.contexts[name] : undefined;
  if (name && !stored && (flag || env.CONVERGENCE_CONTEXT)) {
    const known = Object.keys(config.contexts);
    throw new UnknownContextError(name, known);
  }
  const token = env.CONVERGENCE_TOKEN || stored?.token;
  return { url: env.CONVERGENCE_URL || stored?.url, token, context: stored ? name : null, tokenFrom: env.CONVERGENCE_TOKEN ? "environment" : stored ? "context" : null };
}

export class UnknownContextError extends Error {
  constructor(
    readonly context: string,
    readonly known: string[],
  ) {
    super(`no context "${context}"${known.length ? ` (known: ${known.join(", ")})` : ""}: create it with \`convergence login --context ${context} --url …\``);
  }
}
