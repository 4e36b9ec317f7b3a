import { DO_BILLED_GB, PAID_PLAN_USD_PER_MONTH, PRICES } from "./prices.js";

/** What one operation (an enrollment, a verify) uses, in the units Cloudflare bills. */
export interface Units {
  workerRequests: number;
  workerCpuMs: number;
  doRequests: number;
  /** Seconds a Durable Object is active (an estimate: see measure.ts). */
  doActiveSeconds: number;
  doRowsRead: number;
  /** SQLite rows written plus setAlarm calls (each billed as a row written). */
  doRowsWritten: number;
  d1RowsRead: number;
  d1RowsWritten: number;
}

export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  usd: number;
  /** The monthly amount the Workers Paid plan includes. */
  included: number;
}

/** The priced terms of `units`, each multiplied by `times` (e.g. a million verifies). */
export function priceUnits(units: Units, times: number): CostLine[] {
  const line = (item: string, quantity: number, price: { usd: number; per: string; includedPerMonth: number }): CostLine => ({
    item,
    quantity: quantity * times,
    unit: price.per,
    usd: quantity * times * price.usd,
    included: price.includedPerMonth,
  });
  const gbSeconds = units.doActiveSeconds * DO_BILLED_GB;
  return [
    line("Worker requests", units.workerRequests, PRICES.workerRequest),
    line("Worker CPU", units.workerCpuMs, PRICES.workerCpuMs),
    line("Durable Object requests", units.doRequests, PRICES.doRequest),
    line("Durable Object duration", gbSeconds, PRICES.doGbSecond),
    line("Durable Object rows read", units.doRowsRead, PRICES.doRowRead),
    line("Durable Object rows written", units.doRowsWritten, PRICES.doRowWritten),
    line("D1 rows read", units.d1RowsRead, PRICES.d1RowRead),
    line("D1 rows written", units.d1RowsWritten, PRICES.d1RowWritten),
  ];
}

export function total(lines: CostLine[]): number {
  return lines.reduce((sum, l) => sum + l.usd, 0);
}

/** The report's last line. */
export function costLine(usdPerMillionVerifies: number): string {
  return `cost: $${usdPerMillionVerifies.toFixed(2)} per million verifies`;
}

/**
 * A month in which these lines are an account's only use of the Workers Paid
 * plan: the plan's minimum, plus each term beyond what the plan includes.
 */
export function monthlyBill(lines: CostLine[]): number {
  const over = lines.reduce((sum, l) => sum + Math.max(0, l.quantity - l.included) * (l.usd / (l.quantity || 1)), 0);
  return PAID_PLAN_USD_PER_MONTH + over;
}
