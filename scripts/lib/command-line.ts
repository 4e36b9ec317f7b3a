import { type ParseArgsConfig, parseArgs } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface CommandSpec<O extends Options> {
  /** How it is run, e.g. `npm run cost`. */
  command: string;
  /** What it does, in a sentence or two (printed under the usage line). */
  summary: string;
  options: O;
  /** One line per option, for `--help`. */
  help: { [K in keyof O]: string };
  /** Defaults to the process's own arguments. */
  args?: string[];
}

/**
 * The command line of an npm script (bench, cost, eval, conformance): node's
 * parseArgs, strict, plus `--help` / `-h`, which prints the usage and exits
 * 0. A usage mistake (an unknown option, a missing value) prints one line and
 * the usage on stderr and exits 2, rather than a TypeError's stack.
 */
export function parseCommandLine<const O extends Options>(spec: CommandSpec<O>): ReturnType<typeof parseArgs<{ options: O; strict: true }>>["values"] {
  const args = spec.args ?? process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(usage(spec));
    process.exit(0);
  }
  try {
    return parseArgs({ options: spec.options, strict: true, args }).values;
  } catch (e) {
    if (!isParseArgsError(e)) throw e;
    console.error(`error: ${(e as Error).message}\n\n${usage(spec)}`);
    process.exit(2);
  }
}

/** parseArgs's own refusal of a command line (an unknown option, a missing value): a usage error, not a bug. */
export function isParseArgsError(e: unknown): e is Error {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

/** The `--help` text: usage, summary, and each option with its value and default. */
export function usage<O extends Options>(spec: CommandSpec<O>): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? " <value>" : ""}`;
    const given = o.default;
    const shown = given === undefined || given === false ? "" : ` (default: ${Array.isArray(given) ? given.join(", ") : String(given)})`;
    return [flag, `${spec.help[name as keyof O]}${o.multiple ? " (may be repeated)" : ""}${shown}`] as const;
  });
  rows.push(["-h, --help", "print this text"]);
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return [`Usage: ${spec.command} [-- options]`, "", spec.summary, "", "Options:", ...rows.map(([f, h]) => `  ${f.padEnd(width)}${h}`)].join("\n");
}
