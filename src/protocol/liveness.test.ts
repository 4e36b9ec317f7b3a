import { describe, expect, it } from "vitest";
import { actionShown, ACTION_RULE, type EvidenceFrame } from "./liveness.js";
import { bytesToProbe, probeToBytes } from "./envelope.js";

/** The rule the server decides with and the SDK stops on (synthetic frames; real clips: scripts/eval/active). */
const T = 0.408;
const frame = (i: number, o: Partial<EvidenceFrame> = {}): EvidenceFrame => ({ t: i * 100, yaw: 0, pitch: 0, ear: 0.28, agree: 0.9, iou: 0.9, ...o });
const seq = (parts: Partial<EvidenceFrame>[]) => parts.map((p, i) => frame(i, p));

describe("actionShown", () => {
  it("a blink is open, closed (at most 85% of the capture's open level), open again, on frontal frames", () => {
    expect(actionShown(seq([{}, {}, {}, { ear: 0.2 }, {}, {}]), "blink", T)).toEqual({ ok: true });
    // Closed only to 90%: not a blink (the 68-point model's noise with open eyes stays within about 5%).
    expect(actionShown(seq([{}, {}, {}, { ear: 0.252 }, {}, {}]), "blink", T)).toEqual({ ok: false, why: "no-action" });
    // Closed and never open again within the capture: not a blink.
    expect(actionShown(seq([{}, {}, {}, {}, { ear: 0.2 }, { ear: 0.2 }]), "blink", T)).toEqual({ ok: false, why: "no-action" });
    // Eyes that look closed on a turned head do not count.
    expect(actionShown(seq([{}, {}, { yaw: 30, ear: 0.15 }, {}, {}, {}]), "blink", T)).toEqual({ ok: false, why: "no-action" });
  });

  it("a turn goes past 20° one way and then the other, in the asked order, and ends facing the camera", () => {
    const lr = seq([{}, { yaw: 25 }, { yaw: 30 }, { yaw: 0 }, { yaw: -25 }, { yaw: -5 }]);
    expect(actionShown(lr, "turn-left-right", T)).toEqual({ ok: true });
    expect(actionShown(lr, "turn-right-left", T)).toEqual({ ok: false, why: "no-action" });
    expect(
      actionShown(
        lr.map((f) => ({ ...f, yaw: -f.yaw })),
        "turn-right-left",
        T,
      ),
    ).toEqual({ ok: true });
    expect(actionShown(seq([{}, { yaw: 25 }, { yaw: 0 }, { yaw: -25 }, { yaw: -25 }, { yaw: -30 }]), "turn-left-right", T).ok).toBe(false);
  });

  it("refuses fewer frames than the rule needs, gaps, box jumps and a frontal frame of another face", () => {
    const blink = seq([{}, {}, {}, { ear: 0.2 }, {}, {}]);
    expect(actionShown(blink.slice(0, ACTION_RULE.minFrames - 1), "blink", T)).toEqual({ ok: false, why: "too-few-frames" });
    expect(
      actionShown(
        blink.map((f, i) => (i > 2 ? { ...f, t: f.t + 5000 } : f)),
        "blink",
        T,
      ),
    ).toEqual({ ok: false, why: "not-continuous" });
    expect(
      actionShown(
        blink.map((f, i) => (i === 2 ? { ...f, iou: 0 } : f)),
        "blink",
        T,
      ),
    ).toEqual({ ok: false, why: "not-continuous" });
    expect(
      actionShown(
        blink.map((f, i) => (i === 1 ? { ...f, agree: 0.1 } : f)),
        "blink",
        T,
      ),
    ).toEqual({ ok: false, why: "another-face" });
  });
});

describe("probe plaintext", () => {
  const e = Float32Array.from({ length: 512 }, (_, i) => (i === 0 ? 1 : 0));
  it("is the embedding alone without evidence, and embedding then JSON with it", () => {
    expect(probeToBytes(e)).toHaveLength(2048);
    const evidence = { v: 1 as const, frames: [frame(0)], pad: 0.9 };
    expect(bytesToProbe(probeToBytes(e, evidence), 512)).toEqual({ embedding: e, evidence });
    expect(bytesToProbe(probeToBytes(e), 512)).toEqual({ embedding: e, evidence: null });
  });

  it("refuses evidence that is not exactly the schema", () => {
    const bad = probeToBytes(e, { v: 1, frames: [{ ...frame(0), extra: 1 } as EvidenceFrame] });
    expect(bytesToProbe(bad, 512)).toBeNull();
    const tail = new TextEncoder().encode("{not json");
    const broken = new Uint8Array(2048 + tail.length);
    broken.set(probeToBytes(e));
    broken.set(tail, 2048);
    expect(bytesToProbe(broken, 512)).toBeNull();
  });
});
