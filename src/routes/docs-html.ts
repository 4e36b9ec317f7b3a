/**
 * GET /docs: a self-contained page generated from openapi.json (the machine
 * and many deployments are offline, so no CDN renderer). One table of
 * operations, then every schema as JSON. Everything is HTML-escaped.
 */
interface Operation {
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> };
  responses?: Record<string, { description?: string }>;
}

interface Doc {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

const refName = (ref?: string) => (ref ? ref.split("/").pop()! : "");

export function renderDocs(document: unknown): string {
  const doc = document as Doc;
  const rows: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      const scopes = (op.security ?? []).flatMap((s) => Object.values(s).flat());
      const body = Object.values(op.requestBody?.content ?? {})[0]?.schema?.$ref;
      const responses = Object.entries(op.responses ?? {})
        .map(([status, r]) => `<li><b>${esc(status)}</b> ${esc(r.description ?? "")}</li>`)
        .join("");
      rows.push(
        `<tr><td><code>${esc(method.toUpperCase())}</code></td><td><code>${esc(path)}</code></td>` +
          `<td>${esc(op.summary ?? "")}${op.description ? `<p>${esc(op.description)}</p>` : ""}</td>` +
          `<td>${scopes.length ? scopes.map((s) => `<code>${esc(s)}</code>`).join(" or ") : "none"}</td>` +
          `<td>${body ? `<a href="#schema-${esc(refName(body))}">${esc(refName(body))}</a>` : "-"}</td>` +
          `<td><ul>${responses}</ul></td></tr>`,
      );
    }
  }
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(([name, schema]) => `<h3 id="schema-${esc(name)}">${esc(name)}</h3><pre>${esc(JSON.stringify(schema, null, 2))}</pre>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} ${esc(doc.info.version)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;max-width:90rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.4rem;vertical-align:top;text-align:left}
ul{margin:0;padding-left:1rem}pre{background:#f6f6f6;padding:.6rem;overflow:auto}code{font-size:13px}
</style></head><body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${esc(doc.info.description ?? "")}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<h2>Operations</h2>
<table><thead><tr><th>Method</th><th>Path</th><th>What</th><th>Scope</th><th>Body</th><th>Responses</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>
<h2>Schemas</h2>
${schemas}
</body></html>`;
}
