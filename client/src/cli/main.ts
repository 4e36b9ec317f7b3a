import { parseArgs } from "node:util";
import { ApiError, FaceQualityError, FacegateError } from "../errors.js";
import { runCommand, USAGE } from "./commands.js";

/**
 * `facegate <command>`: exit 0 on success (and on a match for `verify`),
 * 1 on a verified non-match (or, for `embed`, when an image was refused),
 * 2 on any error. Errors go to stderr as one line;
 * results go to stdout as JSON.
 */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: "string", default: process.env.FACEGATE_URL ?? "http://127.0.0.1:8787" },
        token: { type: "string" },
        sub: { type: "string" },
        scope: { type: "string" },
        tenant: { type: "string" },
        "client-id": { type: "string" },
        ttl: { type: "string" },
        policy: { type: "string", default: "2026-11" },
        "login-nonce": { type: "string" },
        models: { type: "string" },
        "dev-vars": { type: "string" },
        pad: { type: "boolean", default: false },
        "show-embedding": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`facegate: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || !command) {
    process.stdout.write(USAGE);
    return command || parsed.values.help ? 0 : 2;
  }
  try {
    return await runCommand(command, rest, parsed.values);
  } catch (err) {
    process.stderr.write(`facegate ${command}: ${describe(err)}\n`);
    return 2;
  }
}

function describe(err: unknown): string {
  if (err instanceof FaceQualityError) return `image refused (${err.reason}): ${err.message}`;
  if (err instanceof ApiError) return `${err.message} [${err.code}]`;
  if (err instanceof FacegateError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
