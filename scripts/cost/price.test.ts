import { describe, expect, it } from "vitest";
import { costLine, monthlyBill, priceUnits, total, type Units } from "./price.js";
import { CLOUD_FACE_APIS, PRICES } from "./prices.js";

const none: Units = {
  workerRequests: 0,
  workerCpuMs: 0,
  doRequests: 0,
  doActiveSeconds: 0,
  doRowsRead: 0,
  doRowsWritten: 0,
  d1RowsRead: 0,
  d1RowsWritten: 0,
};

describe("npm run cost: pricing", () => {
  it("a million operations of one unit each cost the published per-million rate of that unit", () => {
    // The pages state these per million: a million of one unit must come back as exactly that figure.
    const perMillion: [keyof Units, number][] = [
      ["workerRequests", 0.3],
      ["workerCpuMs", 0.02],
      ["doRequests", 0.15],
      ["doRowsRead", 0.001],
      ["doRowsWritten", 1.0],
      ["d1RowsRead", 0.001],
      ["d1RowsWritten", 1.0],
    ];
    for (const [unit, usd] of perMillion) expect(total(priceUnits({ ...none, [unit]: 1 }, 1_000_000))).toBeCloseTo(usd, 9);
  });

  it("duration is billed on 128 MB: 8 s of activity is one GB-s, at $12.50 per million GB-s", () => {
    const lines = priceUnits({ ...none, doActiveSeconds: 8 }, 1_000_000);
    const duration = lines.find((l) => l.item === "Durable Object duration")!;
    expect(duration.quantity).toBeCloseTo(1_000_000, 6);
    expect(duration.usd).toBeCloseTo(12.5, 9);
  });

  it("terms add up and scale with the count", () => {
    const units: Units = { ...none, workerRequests: 2, doRequests: 3, doRowsWritten: 10, d1RowsWritten: 8, workerCpuMs: 5 };
    const one = total(priceUnits(units, 1));
    expect(total(priceUnits(units, 1_000_000))).toBeCloseTo(one * 1_000_000, 6);
    // 2 x 0.30 + 3 x 0.15 + 10 x 1 + 8 x 1 + 5 x 0.02, per million
    expect(one * 1_000_000).toBeCloseTo(0.6 + 0.45 + 10 + 8 + 0.1, 9);
  });

  it("a month's bill is the plan's $5 plus only what exceeds each included amount", () => {
    // 3 million Durable Object requests a month: 1 million included, 2 million at $0.15.
    expect(monthlyBill(priceUnits({ ...none, doRequests: 3 }, 1_000_000))).toBeCloseTo(5 + 0.3, 9);
    // 10 million rows written a month: within the 50 million included.
    expect(monthlyBill(priceUnits({ ...none, doRowsWritten: 10 }, 1_000_000))).toBeCloseTo(5, 9);
    expect(monthlyBill(priceUnits(none, 1_000_000))).toBe(5);
  });

  it("the last line has the form the issue asks for", () => {
    expect(costLine(4.999)).toBe("cost: $5.00 per million verifies");
    expect(costLine(21.0649)).toMatch(/^cost: \$\d+\.\d{2} per million verifies$/);
  });

  it("every price names its source, and a price not found is null rather than a guess", () => {
    for (const p of Object.values(PRICES)) expect(p.source).toMatch(/^https:\/\//);
    for (const c of CLOUD_FACE_APIS) {
      expect(c.source.length).toBeGreaterThan(0);
      if (c.usdPerComparison === null) expect(c.note).toMatch(/not/);
    }
  });
});
