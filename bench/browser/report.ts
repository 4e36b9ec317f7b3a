/** The browser benchmark's tables: times per setting with the facegate/face-api.js ratio, bytes per resource. */

export interface Row {
  run: number;
  page: "facegate" | "face-api.js";
  visit: "cold" | "warm";
  throttle: string;
  marks: { ready?: number; frame?: number; usable?: number; decision?: number };
  result: unknown;
  firstFrame?: Record<string, number>;
  error?: string;
  wire: Record<string, number>;
  /** Seconds after the page's request: [first request, last byte] per path. */
  timing: Record<string, [number, number]>;
  served: Record<string, number>;
}

const median = (xs: number[]): number | undefined => {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2;
};
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const sec = (ms?: number) => (ms === undefined ? "-" : (ms / 1000).toFixed(2));
const mb = (b?: number) => (b === undefined ? "-" : (b / 1e6).toFixed(2));

/** A short name for a resource path: the API calls and the SDK's small chunks are grouped. */
export function resourceName(path: string): string {
  if (path.startsWith("/v1/")) return "API calls (/v1/…)";
  if (/^\/sdk\/chunks\/ort\.wasm\.bundle/.test(path)) return "ORT JS (/sdk/chunks/ort.wasm.bundle…)";
  if (path.startsWith("/sdk/")) return "SDK JS (/sdk/facegate.js + chunks)";
  if (path.startsWith("/models/")) return `model ${path.split("/").pop()}`;
  return path;
}

function grouped(r: Record<string, number>): [string, number][] {
  const out = new Map<string, number>();
  for (const [p, b] of Object.entries(r)) out.set(resourceName(p), (out.get(resourceName(p)) ?? 0) + b);
  return [...out].sort((a, b) => b[1] - a[1]);
}

export function formatReport(meta: Record<string, unknown>, rows: Row[]): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(meta)) lines.push(`${k}: ${String(v)}`);
  lines.push("");
  lines.push("| throttle | visit | page | models loaded s | first frame s | usable face s | decision s | MB over the wire | decision |");
  lines.push("|---|---|---|---:|---:|---:|---:|---:|---|");
  const throttles = [...new Set(rows.map((r) => r.throttle))];
  const pick = (t: string, v: string, p: string) => rows.filter((r) => r.throttle === t && r.visit === v && r.page === p);
  const stat = (rs: Row[], k: keyof Row["marks"]) => median(rs.map((r) => r.marks[k]).filter((x): x is number => x !== undefined));
  for (const t of throttles) {
    for (const v of ["cold", "warm"]) {
      const both: Record<string, Row[]> = { facegate: pick(t, v, "facegate"), "face-api.js": pick(t, v, "face-api.js") };
      for (const [p, rs] of Object.entries(both)) {
        const outcome = rs.map((r) => r.error ?? (r.result as { type?: string } | null)?.type ?? "?").join(", ");
        lines.push(
          `| ${t} | ${v} | ${p} | ${sec(stat(rs, "ready"))} | ${sec(stat(rs, "frame"))} | ${sec(stat(rs, "usable"))} | ${sec(stat(rs, "decision"))} | ${mb(median(rs.map((r) => sum(r.wire))))} | ${outcome} |`,
        );
      }
      const ratio = (k: keyof Row["marks"]) => {
        const a = stat(both.facegate!, k);
        const b = stat(both["face-api.js"]!, k);
        return a !== undefined && b ? (a / b).toFixed(2) : "-";
      };
      const bytes = (p: string) => median(both[p]!.map((r) => sum(r.wire)));
      const br = bytes("face-api.js") ? ((bytes("facegate") ?? 0) / bytes("face-api.js")!).toFixed(2) : "-";
      lines.push(
        `| ${t} | ${v} | **ratio facegate / face-api.js** | ${ratio("ready")} | ${ratio("frame")} | ${ratio("usable")} | ${ratio("decision")} | ${br} | |`,
      );
    }
  }
  // Where the wait between "models loaded" and "first frame" goes: the first analysis's stages.
  const fg = rows.filter((r) => r.page === "facegate" && r.firstFrame);
  if (fg.length) {
    const keys = [...new Set(fg.flatMap((r) => Object.keys(r.firstFrame!)))];
    lines.push(
      "",
      "facegate, the first analysed frame's stages (ms, the SDK's lastTimings())",
      "",
      `| throttle | visit | ${keys.join(" | ")} |`,
      `|---|---|${keys.map(() => "---:").join("|")}|`,
    );
    for (const t of throttles) {
      for (const v of ["cold", "warm"]) {
        const rs = fg.filter((r) => r.throttle === t && r.visit === v);
        if (rs.length)
          lines.push(
            `| ${t} | ${v} | ${keys
              .map((k) => {
                const m = median(rs.map((r) => r.firstFrame![k]).filter((x): x is number => x !== undefined));
                return m === undefined ? "-" : m.toFixed(0);
              })
              .join(" | ")} |`,
          );
      }
    }
  }
  // Bytes per resource: identical across throttle settings; the first run of the throttled setting.
  const ref = throttles.find((t) => t.includes("Mbps")) ?? throttles[0]!;
  for (const p of ["facegate", "face-api.js"]) {
    for (const v of ["cold", "warm"]) {
      const r = pick(ref, v, p)[0];
      if (!r) continue;
      lines.push(
        "",
        `${p}, ${v} (${ref}): bytes over the wire per resource (CDP encodedDataLength, headers included), requested / last byte at (s)`,
        "",
        "| resource | bytes | requested – done s |",
        "|---|---:|---|",
      );
      const span = (name: string) => {
        const ts = Object.entries(r.timing)
          .filter(([path]) => resourceName(path) === name)
          .map(([, t]) => t);
        return ts.length ? `${Math.min(...ts.map((t) => t[0])).toFixed(2)} – ${Math.max(...ts.map((t) => t[1])).toFixed(2)}` : "";
      };
      for (const [name, b] of grouped(r.wire)) lines.push(`| ${name} | ${b.toLocaleString("en")} | ${span(name)} |`);
      lines.push(`| **total** | **${sum(r.wire).toLocaleString("en")}** | |`);
      const threadOnly = Object.keys(r.served).filter((path) => !(path in r.wire));
      if (threadOnly.length)
        lines.push(
          `(also served, to worker threads the page's CDP session does not see: ${threadOnly.map((path) => `${path} ${r.served[path]!.toLocaleString("en")} B`).join(", ")})`,
        );
    }
  }
  return lines.join("\n");
}
