/**
 * What the CLI does differently on a terminal: colours (only when the stream is a TTY; never with
 * NO_COLOR set to anything but an empty string, as no-color.org says; never with --json), a
 * spinner on stderr during long waits, and questions (a hidden token prompt, a confirmation).
 */

/** Colours for one stream; plain text when it is not a terminal or NO_COLOR is set. */
export function colours(stream: NodeJS.WriteStream, json: boolean, env: NodeJS.ProcessEnv = process.env) {
  const on = !json && Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== "dumb"; // no-color.org: set and not empty
  const paint = (open: number, close: number) => (text: string) => (on ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  return {
    enabled: on,
    bold: paint(1, 22),
    dim: paint(2, 22),
    red: paint(31, 39),
    green: paint(32, 39),
    yellow: paint(33, 39),
    cyan: paint(36, 39),
  };
}
export type Colours = ReturnType<typeof colours>;

/** A tenant status in the colour that says how it is doing. */
export function paintStatus(c: Colours, status: string): string {
  if (status === "ready") return c.green(status);
  if (status === "failed") return c.red(status);
  if (status === "unhealthy") return c.yellow(status);
  if (status === "destroyed" || status === "destroying") return c.dim(status);
  return c.cyan(status);
}

const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * A line on stderr, redrawn in place ten times a second with a spinner and the time elapsed,
 * while a long wait lasts; nothing at all when stderr is not a terminal (or with --json).
 */
export class Spinner {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private readonly started = Date.now();

  constructor(
    private text: string,
    private readonly enabled: boolean,
  ) {
    if (!enabled) return;
    this.draw();
    this.timer = setInterval(() => this.draw(), 100);
    this.timer.unref();
  }

  update(text: string) {
    this.text = text;
    if (this.enabled) this.draw();
  }

  stop() {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    process.stderr.write("\r\x1b[K");
  }

  private draw() {
    const elapsed = ((Date.now() - this.started) / 1000).toFixed(1);
    process.stderr.write(`\r\x1b[K${frames[this.frame++ % frames.length]} ${this.text}  ${elapsed} s`);
  }
}

/** Whether questions can be asked: both stdin and stderr are a terminal. */
export const canAsk = () => Boolean(process.stdin.isTTY && process.stderr.isTTY);

/**
 * Reads a line from the terminal without echoing it (for a token): raw mode, so nothing typed
 * or pasted is shown; Backspace edits, Enter ends, Ctrl-C or Ctrl-D aborts (null).
 */
export function askHidden(question: string): Promise<string | null> {
  const stdin = process.stdin;
  // Echo off before the question shows, so that nothing typed as soon as it appears is echoed.
  stdin.setRawMode(true);
  process.stderr.write(question);
  return new Promise((resolve) => {
    let value = "";
    const finish = (result: string | null) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") return finish(value);
        if (char === "\u0003" || char === "\u0004") return finish(null);
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else if (char >= " ") value += char;
      }
    };
    stdin.resume();
    stdin.on("data", onData);
  });
}

/** Asks a question on the terminal; the answer's line, trimmed (null at end of input). */
export async function ask(question: string): Promise<string | null> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const closed = new Promise<null>((resolve) => rl.once("close", () => resolve(null)));
  try {
    const answer = await Promise.race([rl.question(question), closed]);
    return answer === null ? null : answer.trim();
  } finally {
    rl.close();
  }
}

/** All of stdin, for `--token-stdin` (`pass show cvg | convergence login --token-stdin`). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
