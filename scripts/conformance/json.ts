/**
 * JSON with two-space indentation, except that an array of numbers (or of
 * arrays of numbers) and an object of plain values stay on one line: a
 * vector's 512 floats are one line of the file, not 512, and a box is
 * `{"x": ..., "y": ..., "width": ..., "height": ...}`.
 */
export function formatJson(value: unknown, indent = ""): string {
  const flat = (v: unknown): boolean => typeof v === "number" || (Array.isArray(v) && v.every((x) => typeof x === "number"));
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every(flat)) return JSON.stringify(value).replace(/,/g, ", ");
    const inner = indent + "  ";
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    if (entries.every(([, v]) => v === null || typeof v !== "object") && entries.every(([, v]) => typeof v !== "string" || v.length <= 64)) {
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(", ")}}`;
    }
    const inner = indent + "  ";
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}
