/**
 * Where the CLI finds the API and its credential: CONVERGENCE_URL / CONVERGENCE_TOKEN, else what
 * `convergence login` stored in $XDG_CONFIG_HOME/convergence/config.json (~/.config by default),
 * a file only its owner can read (0600, in a 0700 directory).
 */
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

export interface Credentials {
  url: string;
  token: string;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), ".config");
  return join(base, "convergence");
}

export const configFile = (env: NodeJS.ProcessEnv = process.env) => join(configDir(env), "config.json");

export async function readStored(env: NodeJS.ProcessEnv = process.env): Promise<Partial<Credentials>> {
  try {
    const parsed = JSON.parse(await readFile(configFile(env), "utf8")) as Partial<Credentials>;
    return { url: typeof parsed.url === "string" ? parsed.url : undefined, token: typeof parsed.token === "string" ? parsed.token : undefined };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new Error(`cannot read ${configFile(env)}: ${(err as Error).message}`);
  }
}

/** Environment first, then the stored login; either part may be missing. */
export async function resolveCredentials(env: NodeJS.ProcessEnv = process.env): Promise<Partial<Credentials>> {
  const stored = await readStored(env);
  return { url: env.CONVERGENCE_URL || stored.url, token: env.CONVERGENCE_TOKEN || stored.token };
}

/** Written to a temporary file with mode 0600 and renamed into place, so no reader ever sees a partial or open file. */
export async function store(credentials: Credentials, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const file = configFile(env);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600); // whatever the umask did
  await rename(tmp, file);
  return file;
}
