import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../lib/dev-server.js";
import { evaluate, summarise } from "./main.js";

/**
 * A short, fixed run of `npm run eval:active` on the real clips and stills
 * (the full run and its numbers: docs/PAD.md): a live blink and a live head
 * turn pass the rule the server applies; a print and a tablet, held with a
 * hand's tremor, pass no challenge.
 */
const VIDEO = path.join(REPO_ROOT, "../shared/data/video");

describe.skipIf(!existsSync(VIDEO))("eval:active (short)", () => {
  it("live actions pass, still attacks are refused", async () => {
    const results = await evaluate({ videoDir: VIDEO, fps: [10], short: true });
    expect(results.map((r) => `${r.kind}:${r.action}:${r.passed}`)).toEqual([
      "bona_fide:blink:true",
      "bona_fide:turn-right-left:true",
      "print:blink:false",
      "tablet:blink:false",
    ]);
    expect(summarise(results).find((s) => s.kind === "bona_fide")!.errors).toBe(0);
  }, 180_000);
});
