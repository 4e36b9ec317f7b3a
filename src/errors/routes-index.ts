/**
 * Tells a 405 from a 404: Hono's router only says "no match", so the
 * not-found handler asks which methods the registered routes allow on the path.
 */
export interface RouteLike {
  method: string;
  path: string;
}

export type MethodIndex = (path: string) => string[];

export function methodIndex(routes: () => readonly RouteLike[]): MethodIndex {
  let compiled: { method: string; pattern: RegExp }[] | undefined;
  return (path) => {
    compiled ??= routes()
      .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
      .map((r) => ({ method: r.method.toUpperCase(), pattern: pathPattern(r.path) }));
    const methods = new Set<string>();
    for (const r of compiled) if (r.pattern.test(path)) methods.add(r.method);
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}

function pathPattern(path: string): RegExp {
  const parts = path.split("/").map((seg) => (seg.startsWith(":") ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  return new RegExp(`^${parts.join("/")}$`);
}
