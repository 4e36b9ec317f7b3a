/**
 * scripts/gen-secret.ts as an operator runs it: a fresh value, and a rotation
 * that puts the new key first and keeps the old ones (assertion keys without
 * their private part).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const run = (args: string[], stdin = ""): unknown[] =>
  JSON.parse(
    execFileSync(process.execPath, ["--import", "tsx", "scripts/gen-secret.ts", ...args], { cwd: REPO, input: stdin, encoding: "utf8", stdio: "pipe" }),
  ) as unknown[];

describe("gen-secret", () => {
  it("kek: version 1, then --rotate adds version 2 first and keeps 1", () => {
    const first = run(["kek"]) as { version: number; key: string }[];
    expect(first).toHaveLength(1);
    expect(first[0]!.version).toBe(1);
    expect(Buffer.from(first[0]!.key, "base64url")).toHaveLength(32);
    const rotated = run(["kek", "--rotate"], JSON.stringify(first)) as { version: number; key: string }[];
    expect(rotated.map((k) => k.version)).toEqual([2, 1]);
    expect(rotated[1]).toEqual(first[0]);
    expect(rotated[0]!.key).not.toBe(first[0]!.key);
  });

  it("hpke: --rotate puts a new kid first and keeps the old key as it was", () => {
    const first = run(["hpke"]) as { kid: string; privateKey: string }[];
    const rotated = run(["hpke", "--rotate"], JSON.stringify(first)) as { kid: string; privateKey: string }[];
    expect(rotated).toHaveLength(2);
    expect(rotated[1]).toEqual(first[0]);
    expect(rotated[0]!.kid).not.toBe(first[0]!.kid);
  });

  it("assertion: --rotate keeps the old key public only (it verifies, it no longer signs)", () => {
    const first = run(["assertion"]) as Record<string, string>[];
    expect(first[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA" });
    expect(first[0]!["d"]).toBeTruthy();
    const rotated = run(["assertion", "--rotate"], JSON.stringify(first)) as Record<string, string>[];
    expect(rotated[0]!["d"]).toBeTruthy();
    expect(rotated[0]!["kid"]).not.toBe(first[0]!["kid"]);
    const { d: _d, ...pub } = first[0]!;
    expect(rotated[1]).toEqual(pub);
  });

  it("refuses an unknown kind and a --rotate input that is not a list", () => {
    expect(() => run(["rsa"])).toThrow(/usage: gen-secret/);
    expect(() => run(["kek", "--rotate"], '{"version":1}')).toThrow(/expects the current value/);
  });
});
