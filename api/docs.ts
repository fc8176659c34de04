/** A readable, self-contained API reference at /docs, rendered from the OpenAPI document (no CDN). */
type Doc = { info: { title: string; version: string; description?: string }; paths: Record<string, Record<string, Op>> };
type Op = { summary?: string; description?: string; parameters?: Array<{ name: string; in: string; required?: boolean; schema?: { type?: string }; description?: string }>; requestBody?: unknown; responses?: Record<string, { description?: string }>; security?: unknown[] };

const esc = (s: string) => s.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]!);

export function renderDocs(doc: Doc): string {
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const params = (op.parameters ?? [])
        .map((p) => `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ", required" : ""}) ${esc(p.description ?? "")}</li>`)
        .join("");
      const body = op.requestBody
        ? `<details><summary>request body</summary><pre>${esc(JSON.stringify(op.requestBody, null, 2))}</pre></details>`
        : "";
      const responses = Object.entries(op.responses ?? {})
        .map(([code, r]) => `<li><code>${code}</code> ${esc(r.description ?? "")}</li>`)
        .join("");
      return `<section><h2><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h2>
<p><b>${esc(op.summary ?? "")}</b>${op.security?.length ? " · needs <code>Authorization: Bearer …</code>" : ""}</p>
<p>${esc(op.description ?? "")}</p>${params ? `<ul>${params}</ul>` : ""}${body}<ul>${responses}</ul></section>`;
    }),
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:.5rem 0}.m{display:inline-block;min-width:4.5em;font-size:.8em;padding:2px 6px;border-radius:4px;color:#fff;background:#555}
.get{background:#2a7}.post{background:#27c}.delete{background:#c33}pre{background:#f6f6f6;padding:.5rem;overflow:auto}</style></head>
<body><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description ?? "")}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a></p>${ops.join("\n")}</body></html>`;
}
