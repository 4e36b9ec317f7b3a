import { describe, expect, it } from "vitest";
import { callSettled, expectProblem, Subject } from "./helpers/api.js";

const RP = "https://rp.example";
const LISTED = { CORS_ORIGINS: `${RP}, http://localhost:5173` };

function preflight(origin: string, env: Record<string, string>, method = "POST", path = "/v1/challenges"): Promise<Response> {
  return callSettled("OPTIONS", path, {
    env,
    headers: {
      Origin: origin,
      "Access-Control-Request-Method": method,
      "Access-Control-Request-Headers": "authorization, content-type",
    },
  });
}

describe("CORS", () => {
  it("answers a preflight from a listed origin with the methods and the Authorization and Content-Type headers", async () => {
    const res = await preflight(RP, LISTED);
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(RP);
    expect(res.headers.get("Access-Control-Allow-Methods")).toBe("GET, HEAD, POST, PUT, DELETE");
    expect(res.headers.get("Access-Control-Allow-Headers")).toBe("Authorization, Content-Type");
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    expect(res.headers.get("Vary")).toContain("Origin");
    expect(Number(res.headers.get("Access-Control-Max-Age"))).toBeGreaterThan(0);
    const local = await preflight("http://localhost:5173", LISTED, "DELETE", "/v1/subjects/alice");
    expect(local.headers.get("Access-Control-Allow-Origin")).toBe("http://localhost:5173");
  });

  it("lets a listed origin read answers and problems, with the headers the SDK needs exposed", async () => {
    const s = await Subject.create("cors");
    const ok = await callSettled("POST", "/v1/challenges", {
      env: LISTED,
      token: s.token,
      headers: { Origin: RP },
      body: { subjectId: s.id, purpose: "enroll" },
    });
    expect(ok.status).toBe(201);
    expect(ok.headers.get("Access-Control-Allow-Origin")).toBe(RP);
    expect(ok.headers.get("Access-Control-Expose-Headers")).toContain("X-Request-Id");
    const problem = await callSettled("GET", `/v1/subjects/${s.id}`, { env: LISTED, headers: { Origin: RP } });
    expect(problem.headers.get("Access-Control-Allow-Origin")).toBe(RP);
    expect(problem.headers.get("Access-Control-Expose-Headers")).toContain("WWW-Authenticate");
    await expectProblem(problem, "missing-token");
  });

  it("gives an unlisted origin nothing: its preflight is a 405 problem and answers carry no Allow-Origin", async () => {
    const res = await preflight("https://evil.example", LISTED);
    await expectProblem(res, "method-not-allowed");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const get = await callSettled("GET", "/v1/health", { env: LISTED, headers: { Origin: "https://evil.example" } });
    expect(get.status).toBe(200);
    expect(get.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(get.headers.get("Vary")).toContain("Origin");
    // An origin differing only by scheme, port or a trailing slash is another origin.
    for (const near of ["http://rp.example", "https://rp.example:8443", "https://rp.example/", "null"]) {
      expect((await preflight(near, LISTED)).headers.get("Access-Control-Allow-Origin"), near).toBeNull();
    }
  });

  it("is same-origin only when CORS_ORIGINS is empty (the default)", async () => {
    const res = await preflight(RP, { CORS_ORIGINS: "" });
    await expectProblem(res, "method-not-allowed");
    const get = await callSettled("GET", "/v1/health", { headers: { Origin: RP } });
    expect(get.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("refuses a malformed list (a wildcard, a path) loudly instead of guessing", async () => {
    for (const CORS_ORIGINS of ["*", "https://rp.example/app", "rp.example"]) {
      await expectProblem(await callSettled("GET", "/v1/health", { env: { CORS_ORIGINS } }), "server-misconfigured");
    }
  });
});
