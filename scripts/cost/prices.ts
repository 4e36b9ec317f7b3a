/**
 * Published prices used by `npm run cost`, as read on PRICES_READ (this
 * machine has no web access: the pages were read from a stored copy of each,
 * which carries no date of its own). Paid-plan overage rates, USD; the
 * monthly included amounts are ignored (a million verifies is priced as if
 * the free allowance were already used by other traffic). Where a price
 * could not be found on a page that was available, it is null and says why.
 */
export const PRICES_READ = "2026-12-01";

export interface Price {
  usd: number | null;
  per: string;
  /** Included each month in the Workers Paid plan, before the rate applies. */
  includedPerMonth?: number;
  source: string;
  note?: string;
}

const WORKERS = "https://developers.cloudflare.com/workers/platform/pricing/";
const DO = "https://developers.cloudflare.com/durable-objects/platform/pricing/";
const D1 = "https://developers.cloudflare.com/d1/platform/pricing/";
// The stored copy of the Durable Objects page holds its compute section only; its SQLite
// storage section is quoted by these two, which agree with each other and with D1's rates.
const DO_SQL_SECONDARY = "https://www.oflight.co.jp/en/columns/cloudflare-durable-objects-2026-07 ; https://cf-trader-docs.pages.dev/cloudflare/pricing.html";

export const PRICES = {
  workerRequest: { usd: 0.3 / 1e6, includedPerMonth: 10e6, per: "request", source: WORKERS, note: "10 million a month included, then $0.30 per million" },
  workerCpuMs: { usd: 0.02 / 1e6, includedPerMonth: 30e6, per: "CPU ms", source: WORKERS, note: "30 million a month included, then $0.02 per million CPU ms" },
  doRequest: {
    usd: 0.15 / 1e6,
    includedPerMonth: 1e6,
    per: "request",
    source: DO,
    note: "RPC calls and alarm invocations; 1 million included, then $0.15 per million",
  },
  doGbSecond: {
    usd: 12.5 / 1e6,
    includedPerMonth: 400e3,
    per: "GB-s",
    source: DO,
    note: "wall time while active, billed at 128 MB; 400,000 GB-s included, then $12.50 per million",
  },
  doRowRead: {
    usd: 0.001 / 1e6,
    includedPerMonth: 25e9,
    per: "row read",
    source: DO_SQL_SECONDARY,
    note: "25 billion a month included, then $0.001 per million",
  },
  doRowWritten: {
    usd: 1.0 / 1e6,
    includedPerMonth: 50e6,
    per: "row written",
    source: DO_SQL_SECONDARY,
    note: "50 million a month included, then $1.00 per million; setAlarm() counts as one row written",
  },
  doStorageGbMonth: { usd: 0.2, per: "GB-month", source: DO_SQL_SECONDARY },
  d1RowRead: { usd: 0.001 / 1e6, includedPerMonth: 25e9, per: "row read", source: D1, note: "25 billion a month included, then $0.001 per million" },
  d1RowWritten: {
    usd: 1.0 / 1e6,
    includedPerMonth: 50e6,
    per: "row written",
    source: D1,
    note: "50 million a month included, then $1.00 per million; an index adds a row written",
  },
  d1StorageGbMonth: { usd: 0.75, per: "GB-month", source: D1 },
} satisfies Record<string, Price>;

/** The Workers Paid plan's monthly minimum, which buys the included amounts. */
export const PAID_PLAN_USD_PER_MONTH = 5;

/** Memory a Durable Object is billed for, whatever it uses. */
export const DO_BILLED_GB = 0.125;

/**
 * The cloud face APIs, per comparison (one face compared with one stored face).
 * Neither provider's own pricing page was among the stored pages with its
 * numbers (Rekognition's renders its tables from a script; Azure's was not
 * stored), so the only figures found are from third parties, shown as such.
 */
export const CLOUD_FACE_APIS: { name: string; usdPerComparison: number | null; source: string; note: string }[] = [
  {
    name: "AWS Rekognition CompareFaces / SearchFacesByImage",
    usdPerComparison: 0.001,
    source: "https://github.com/brusic/elasticsearch-ingest-aws-rekognition (README, 'AWS Rekognition Pricing (most regions)')",
    note:
      "third-party, undated: $1.00 per 1,000 images for the first million a month (then $0.80, $0.60, $0.40 per 1,000). " +
      "The provider's page (https://aws.amazon.com/rekognition/pricing/) was not readable here; a transcription of it " +
      "read 2026-10-07 gives $0.0010 per image for the first million of Group 2 APIs and no figure for Group 1 (CompareFaces).",
  },
  {
    name: "Azure AI Face Verify",
    usdPerComparison: null,
    source: "https://azure.microsoft.com/pricing/details/cognitive-services/face-api/ (not among the stored pages)",
    note: "no published price found in the stored pages; not compared",
  },
];
