import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseCommandLine, usage } from "./command-line.js";
import { REPO_ROOT } from "./dev-server.js";

const spec = {
  command: "npm run example",
  summary: "An example.",
  options: { runs: { type: "string", default: "1" }, full: { type: "boolean", default: false }, only: { type: "string", multiple: true } },
  help: { runs: "how many runs", full: "the long version", only: "a filter" },
} as const;

/** An npm script's entry run as npm runs it (tsx), with arguments; nothing after the parse runs. */
function run(entry: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", entry, ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("parseCommandLine", () => {
  it("parses the options it is given, with their defaults", () => {
    expect(parseCommandLine({ ...spec, args: ["--runs", "3", "--only", "a", "--only", "b"] })).toEqual({ runs: "3", full: false, only: ["a", "b"] });
    expect(parseCommandLine({ ...spec, args: [] })).toEqual({ runs: "1", full: false });
  });

  it("lists every option with its help line and default, and --help itself", () => {
    const text = usage(spec);
    expect(text.split("\n")[0]).toBe("Usage: npm run example [-- options]");
    expect(text).toMatch(/--runs <value> +how many runs \(default: 1\)/);
    expect(text).toMatch(/--full +the long version$/m);
    expect(text).toMatch(/--only <value> +a filter \(may be repeated\)$/m);
    expect(text).toMatch(/-h, --help +print this text$/m);
  });

  it("an npm script prints its usage on --help and exits 0 before doing anything", () => {
    const r = run("bench/browser/main.ts", "--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run bench:browser \[-- options\]/);
    expect(r.stdout).toMatch(/--runs <value>/);
    expect(r.stdout).not.toMatch(/building the packages/);
  });

  it("an unknown option is one line and the usage on stderr, exit 2, no stack trace", () => {
    const r = run("scripts/cost/main.ts", "--subject", "8");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: Unknown option '--subject'/m);
    expect(r.stderr).toMatch(/--subjects <value> +subjects enrolled \(default: 8\)/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("the eval entries (runMain) answer an unknown option the same way: one line, exit 2", () => {
    const r = run("scripts/eval/main.ts", "--pair", "x");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: Unknown option '--pair'/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
