/**
 * Following a Docker engine's event stream (GET /events) for ContainerRuntime.watch: from the
 * moment of the call (events that happen while the stream is being opened are not missed), and
 * reopened with back-off from the last event seen whenever it ends or fails (an engine restart),
 * until stopped.
 */
import type Docker from "dockerode";

export interface EngineEvent {
  Type: string;
  Action: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

export function followEvents(
  docker: Docker,
  filters: Record<string, string[]>,
  onEvent: (e: EngineEvent) => void,
  /** Called when the stream is open again after it was lost (the engine may have restarted meanwhile). */
  onReopened?: () => void,
): () => void {
  let stopped = false;
  let stream: (NodeJS.ReadableStream & { destroy?: () => void }) | null = null;
  let retry: NodeJS.Timeout | undefined;
  let backoffMs = 500;
  // Seconds since the epoch (the API's resolution): a reopened stream may repeat the last second's events, never skip any.
  let since = Math.floor(Date.now() / 1000);
  let lost = false;
  const open = async () => {
    if (stopped) return;
    try {
      stream = (await docker.getEvents({ filters, since })) as NodeJS.ReadableStream & { destroy?: () => void };
      backoffMs = 500;
      if (lost) {
        lost = false;
        onReopened?.();
      }
      let buffered = "";
      stream.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("utf8");
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) {
          if (!line.trim()) continue;
          try {
            const event = JSON.parse(line) as EngineEvent & { time?: number };
            if (event.time) since = event.time;
            onEvent(event);
          } catch {
            // not an event (a partial write): skip it
          }
        }
      });
      stream.on("error", () => {});
      stream.on("close", reopen);
      stream.on("end", reopen);
    } catch {
      reopen();
    }
  };
  const reopen = () => {
    stream = null;
    lost = true;
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void open();
    }, backoffMs);
    retry.unref();
    backoffMs = Math.min(backoffMs * 2, 30_000);
  };
  void open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    stream?.destroy?.();
  };
}
