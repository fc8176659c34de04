/**
 * Following a Docker engine's event stream (GET /events) for ContainerRuntime.watch: reopened with
 * back-off whenever it ends or fails (an engine restart), until stopped.
 */
import type Docker from "dockerode";

export interface EngineEvent {
  Type: string;
  Action: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

export function followEvents(docker: Docker, filters: Record<string, string[]>, onEvent: (e: EngineEvent) => void): () => void {
  let stopped = false;
  let stream: NodeJS.ReadableStream & { destroy?: () => void } | null = null;
  let retry: NodeJS.Timeout | undefined;
  let backoffMs = 500;
  const open = async () => {
    if (stopped) return;
    try {
      stream = (await docker.getEvents({ filters })) as NodeJS.ReadableStream & { destroy?: () => void };
      backoffMs = 500;
      let buffered = "";
      stream.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("utf8");
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) {
          if (!line.trim()) continue;
          try {
            onEvent(JSON.parse(line) as EngineEvent);
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
