import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { base64 } from "@scure/base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_VARS_FILE, loadDevIssuer, mintDevToken } from "../../client/src/cli/dev-issuer.js";
import { FacegateApi } from "../../client/src/api/facegate-api.js";
import { readImageFile } from "../../client/src/image/decode-node.js";
import type { RgbaImage } from "../../client/src/image/types.js";
import type { HermesInput } from "../../packages/react-native/test/hermes/protocol.js";
import { bundledModels, bundleForHermes, encodeImage, recordInNode, runInHermes } from "../../packages/react-native/test/hermes/hermes.js";
import { startDevServer, type DevServer } from "../../scripts/lib/dev-server.js";
import { ensureDevKeys } from "../../scripts/lib/ensure-dev-keys.js";
import { face, REPO } from "../../scripts/lib/shared-data.js";

/**
 * Envelopes sealed in Hermes, verified by the real worker (wrangler dev).
 * Hermes has no network here, so Node carries the messages: it asks the
 * worker for a challenge, hands it to the Hermes program (the
 * @facegate/react-native entry, model runs replayed from the real models in
 * Node: packages/react-native/test/hermes.test.ts says how), and sends the
 * body the client built there, envelope and all, to the worker unchanged.
 * Enrolled from obama_1: obama_2 matches, Rose Leslie does not.
 */
const SUBJECT = "hermes-rn";

describe("@facegate/react-native in Hermes against the worker", () => {
  let server: DevServer;
  let api: FacegateApi;
  let token: () => Promise<string>;
  let bundle: Awaited<ReturnType<typeof bundleForHermes>>;
  let manifest: unknown;

  beforeAll(async () => {
    ensureDevKeys();
    server = await startDevServer();
    const issuer = loadDevIssuer(join(REPO, DEV_VARS_FILE))!;
    token = () => mintDevToken(issuer, { sub: SUBJECT, scope: "face:enroll face:verify face:read", clientId: "hermes-test" });
    api = new FacegateApi({ baseUrl: server.url, getToken: token });
    bundle = await bundleForHermes();
    manifest = (await import("../../models/manifest.json", { with: { type: "json" } })).default;
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
  });

  /** One Hermes run of `actions` on `images`, answered by `challenges` the worker issued; returns the bodies it sealed. */
  async function inHermes(images: RgbaImage[], actions: HermesInput["actions"], challenges: unknown[]) {
    const node = await recordInNode(
      images,
      actions.map((a) => a.image),
    );
    const out = runInHermes(bundle.code, {
      manifest,
      files: bundledModels(),
      recording: node.recording,
      images: images.map(encodeImage),
      embed: [],
      actions,
      challenges,
      subjectId: SUBJECT,
      random: base64.encode(new Uint8Array(randomBytes(4096))),
    });
    expect(out.error).toBeUndefined();
    return out.requests.filter((r) => r.method === "POST" && r.path.startsWith(`/v1/subjects/${SUBJECT}/`));
  }

  /** The body as the device built it, sent to the worker as the SDK would have. */
  async function send(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(server.url + path, {
      method: "POST",
      headers: { authorization: `Bearer ${await token()}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it("enrolls with an envelope sealed in Hermes, and verifies two more: the same person matches, another does not", async () => {
    await api.grantConsent(SUBJECT, "2026-11");
    const enrollChallenge = await api.challenge(SUBJECT, "enroll");
    const [enroll] = await inHermes([await readImageFile(face("obama/obama_1.jpg"))], [{ purpose: "enroll", image: 0 }], [enrollChallenge]);
    expect(enroll!.path).toBe(`/v1/subjects/${SUBJECT}/templates`);
    const enrolled = await send(enroll!.path, enroll!.body);
    expect(enrolled.status, JSON.stringify(enrolled.json)).toBe(201);

    const challenges = [await api.challenge(SUBJECT, "verify"), await api.challenge(SUBJECT, "verify")];
    const images = [await readImageFile(face("obama/obama_2.jpg")), await readImageFile(face("rose_leslie/rose_leslie_1.jpg"))];
    const verifies = await inHermes(
      images,
      [
        { purpose: "verify", image: 0 },
        { purpose: "verify", image: 1 },
      ],
      challenges,
    );
    expect(verifies.map((v) => v.path)).toEqual([`/v1/subjects/${SUBJECT}/verify`, `/v1/subjects/${SUBJECT}/verify`]);
    const same = await send(verifies[0]!.path, verifies[0]!.body);
    const other = await send(verifies[1]!.path, verifies[1]!.body);
    console.log(
      `worker on Hermes-sealed envelopes: obama_2 ${JSON.stringify({ match: same.json["match"], score: same.json["score"] })}, rose_leslie ${JSON.stringify({ match: other.json["match"], score: other.json["score"] })}`,
    );
    expect(same.status, JSON.stringify(same.json)).toBe(200);
    expect(same.json["match"]).toBe(true);
    expect(other.status, JSON.stringify(other.json)).toBe(200);
    expect(other.json["match"]).toBe(false);
  }, 600_000);
});
