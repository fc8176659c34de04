/**
 * `npm run dev`'s log view: each JSON line of the API and the worker, as pino-pretty shows it (a
 * level in colour, the time, the process name, the message, fields on their own lines, an error's
 * stack as a stack). Colours only on a terminal and never with NO_COLOR. Production (`npm start`,
 * containers) keeps the JSON lines as they are, for the log collector.
 */
import { prettyFactory } from "pino-pretty";

export interface PrettyOptions {
  colour: boolean;
}

/** Whether a stream should get colour codes: a terminal, and NO_COLOR unset or empty (no-color.org). */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

/** A function from one output line to what to print for it (with its newline); a line that is not JSON passes as it is. */
export function prettyLines(opts: PrettyOptions): (line: string) => string {
  const prettify = prettyFactory({
    colorize: opts.colour,
    translateTime: "HH:MM:ss.l",
    ignore: "pid,hostname",
    errorLikeObjectKeys: ["err", "error"],
  });
  return (line) => {
    if (!line.startsWith("{")) return `${line}\n`;
    try {
      return prettify(JSON.parse(line));
    } catch {
      return `${line}\n`;
    }
  };
}
