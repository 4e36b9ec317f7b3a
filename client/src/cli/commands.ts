import { SCOPES, STEP_UP_ACR } from "../../../src/protocol/scopes.js";
import { FaceQualityError } from "../errors.js";
import type { PadMode } from "../pipeline/types.js";
import type { FaceClient } from "../node.js";
import { CLI_CLIENT_ID, findDevVars, loadDevIssuer, mintDevToken } from "./dev-issuer.js";

/** The consent policy version `facegate consent` records when --policy is not given. */
export const DEFAULT_POLICY_VERSION = "2026-11";

export const USAGE = `Usage: facegate <command> [options]

Commands:
  token --sub <id> --scope "<scopes>"   print a JWT from the local dev issuer (.dev.vars.dev)
  consent <subject> [--policy <ver>]    record the subject's consent
  enroll <subject> <image>              enroll a face from a JPEG/PNG file
  verify <subject> <image>              verify; exit 0 on match, 1 on no match, 2 on error
  subject <subject>                     show what the server holds (never biometric data)
  delete <subject>                      delete the subject's face data (crypto-shred)
  embed <image>...                      run the on-device pipeline on each image; print quality and
                                        timings, or why an image was refused (exit 1 if any was)

Options:
  --url <url>          API base URL (default http://127.0.0.1:8787, or FACEGATE_URL)
  --token <jwt>        access token (default FACEGATE_TOKEN; locally, minted by the dev issuer)
  --tenant <t>         token tenant claim (token command)
  --client-id <id>     token azp claim: the audience of assertions (token command)
  --ttl <seconds>      token lifetime (token command, default 3600)
  --login-nonce <n>    relying party nonce, echoed in the assertion (verify)
  --models <dir>       directory with the ONNX models and manifest.json
                       (default: the models shipped with @facegate/client)
  --dev-vars <file>    local secrets of \`npm start\` (default FACEGATE_DEV_VARS, else .dev.vars.dev
                       in this folder or a parent, else in the facegate clone the CLI runs from)
  --pad                also run presentation-attack detection (embed): decision and score
                       per image at the shipped operating point (docs/PAD.md)
  --show-embedding     print embeddings (embed); they are biometric data: handle with care
`;

type Values = Record<string, string | boolean | undefined>;

/** The scope each command needs, for tokens minted locally. */
const NEEDS: Record<string, string> = {
  consent: SCOPES.enroll,
  enroll: SCOPES.enroll,
  verify: SCOPES.verify,
  subject: SCOPES.read,
  delete: SCOPES.delete,
};

export async function runCommand(command: string, args: string[], values: Values): Promise<number> {
  const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  const arg = (i: number, what: string) => {
    const v = args[i];
    if (!v) throw new Error(`missing <${what}>\n${USAGE}`);
    return v;
  };
  // Measurements are printed to 2 decimals; embeddings (only with --show-embedding) in full.
  const print = (v: unknown) =>
    process.stdout.write(
      `${JSON.stringify(v, (k, x) => (typeof x === "number" && k !== "embedding" && !Number.isInteger(x) ? Math.round(x * 100) / 100 : x), 2)}\n`,
    );

  if (command === "token") {
    const issuer = loadDevIssuer(findDevVars(str("dev-vars")));
    if (!issuer) {
      throw new Error(
        "no local dev issuer: run `npm start` in a facegate clone first, then pass --dev-vars <clone>/.dev.vars.dev (or set FACEGATE_DEV_VARS) when not inside it; production tokens come from your identity provider",
      );
    }
    const sub = str("sub");
    if (!sub) throw new Error("--sub is required");
    const ttl = str("ttl");
    process.stdout.write(
      `${await mintDevToken(issuer, {
        sub,
        scope: str("scope") ?? `${SCOPES.enroll} ${SCOPES.verify}`,
        ...(str("tenant") ? { tenant: str("tenant")! } : {}),
        ...(str("client-id") ? { clientId: str("client-id")! } : {}),
        ...(ttl ? { ttlSeconds: Number(ttl) } : {}),
      })}\n`,
    );
    return 0;
  }

  if (command === "embed") {
    if (args.length === 0) throw new Error(`missing <image>\n${USAGE}`);
    const pad: PadMode = values.pad === true ? "report" : "off";
    const client = await makeClient(values, undefined, pad);
    // Every file is processed: a refused image is reported and the batch goes on.
    let refused = 0;
    for (const file of args) {
      let r;
      try {
        r = await client.embed(file);
      } catch (e) {
        if (!(e instanceof FaceQualityError)) throw e;
        refused++;
        print({ file, refused: e.reason, message: e.message, ...(Object.keys(e.details).length ? { details: e.details } : {}) });
        continue;
      }
      print({
        file,
        modelId: r.modelId,
        provider: r.provider,
        quality: r.quality,
        ...(r.pad ? { pad: { decision: r.pad.decision, score: r.pad.score } } : {}),
        timings: r.timings,
        ...(values["show-embedding"] ? { embedding: Array.from(r.embedding) } : {}),
      });
    }
    return refused > 0 ? 1 : 0;
  }

  const subject = arg(0, "subject");
  const client = await makeClient(values, { subject, scope: NEEDS[command] });
  switch (command) {
    case "consent":
      print(await client.grantConsent(subject, str("policy") ?? DEFAULT_POLICY_VERSION));
      return 0;
    case "enroll":
      print(await client.enroll(subject, arg(1, "image")));
      return 0;
    case "verify": {
      const nonce = str("login-nonce");
      const result = await client.verify(subject, arg(1, "image"), nonce ? { loginNonce: nonce } : {});
      print(result);
      return result.match ? 0 : 1;
    }
    case "subject":
      print(await client.getSubject(subject));
      return 0;
    case "delete":
      await client.deleteSubject(subject);
      print({ deleted: subject });
      return 0;
    default:
      throw new Error(`unknown command "${command}"\n${USAGE}`);
  }
}

async function makeClient(values: Values, auth: { subject: string; scope: string | undefined } | undefined, pad: PadMode = "off"): Promise<FaceClient> {
  // Imported here so `facegate token` does not load ONNX Runtime.
  const { createFaceClient } = await import("../node.js");
  const explicit = (typeof values.token === "string" ? values.token : undefined) ?? process.env.FACEGATE_TOKEN;
  return createFaceClient({
    baseUrl: values.url as string,
    pad,
    ...(typeof values.models === "string" ? { modelsDir: values.models } : {}),
    getToken: async () => {
      if (explicit) return explicit;
      // Locally, with no token given, mint a short-lived one for exactly this
      // subject and scope from the dev issuer, if its key is on this machine.
      // The local issuer stands in for the relying party: it names the CLI as
      // the client (the assertion's audience) and vouches for the step-up
      // that adding a second template needs.
      const issuer = loadDevIssuer(findDevVars(typeof values["dev-vars"] === "string" ? values["dev-vars"] : undefined));
      if (!issuer || !auth?.scope) throw new Error("no token: pass --token or set FACEGATE_TOKEN (locally: --dev-vars <clone>/.dev.vars.dev)");
      return mintDevToken(issuer, { sub: auth.subject, scope: auth.scope, ttlSeconds: 300, clientId: CLI_CLIENT_ID, acr: STEP_UP_ACR });
    },
  });
}
