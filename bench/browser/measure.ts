import type { BrowserContext, CDPSession } from "playwright-core";
import type { BenchServer } from "./server.js";

export interface Throttle {
  name: string;
  /** Bits per second down and up, or null for none. */
  bps: number | null;
  latencyMs: number;
  cpu: number;
}

export const THROTTLES: Throttle[] = [
  { name: "none", bps: null, latencyMs: 0, cpu: 1 },
  { name: "10 Mbps / 40 ms", bps: 10e6, latencyMs: 40, cpu: 1 },
  { name: "10 Mbps / 40 ms, CPU 4x", bps: 10e6, latencyMs: 40, cpu: 4 },
];

export interface Load {
  /** ms since navigation start; undefined when not reached. */
  marks: { ready?: number; frame?: number; usable?: number; decision?: number };
  result: unknown;
  /** The SDK's stage times (ms) of the first analysed frame, facegate only. */
  firstFrame?: Record<string, number> | null;
  error?: string;
  /** Bytes over the wire per resource path, as the page's network saw them (CDP encodedDataLength, headers included). */
  wire: Map<string, number>;
  /** Seconds from the page's own request to each resource's first request and last byte (CDP timestamps). */
  timing: Map<string, [number, number]>;
  /** Body bytes the worker sent per path (everything, worker threads included). */
  served: Map<string, number>;
}

async function throttle(cdp: CDPSession, t: Throttle): Promise<void> {
  await cdp.send("Network.enable");
  if (t.bps !== null) {
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: t.latencyMs,
      downloadThroughput: t.bps / 8,
      uploadThroughput: t.bps / 8,
    });
  }
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: t.cpu });
}

/** Opens `url` in a new page of `context` (cold: a fresh context; warm: one that loaded it before) and waits for the decision. */
export async function measureLoad(context: BrowserContext, server: BenchServer, url: string, t: Throttle, timeoutMs = 240_000): Promise<Load> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await throttle(cdp, t);
  const urls = new Map<string, string>();
  const wire = new Map<string, number>();
  const timing = new Map<string, [number, number]>();
  let t0: number | undefined;
  cdp.on("Network.requestWillBeSent", (e) => {
    const path = new URL(e.request.url).pathname;
    urls.set(e.requestId, path);
    t0 ??= e.timestamp;
    if (!timing.has(path)) timing.set(path, [e.timestamp - t0, e.timestamp - t0]);
  });
  cdp.on("Network.loadingFinished", (e) => {
    const path = urls.get(e.requestId);
    if (!path) return;
    if (e.encodedDataLength > 0) wire.set(path, (wire.get(path) ?? 0) + e.encodedDataLength);
    const t = timing.get(path);
    if (t && t0 !== undefined) t[1] = Math.max(t[1], e.timestamp - t0);
  });
  page.on("pageerror", (e) => console.error("  page error:", e.message));
  server.reset();
  // The load event's deadline is not what this measures (the marks are); 30 s is too short for a
  // throttled load on a machine the test run shares.
  await page.goto(url, { timeout: 150_000 });
  let error: string | undefined;
  try {
    await page.waitForFunction(
      () => {
        const w = window as unknown as { benchMarks?: { decision?: number }; benchError?: string };
        return w.benchMarks?.decision !== undefined || w.benchError !== undefined;
      },
      undefined,
      { timeout: timeoutMs, polling: 100 },
    );
  } catch (e) {
    error = (e as Error).message.split("\n")[0];
  }
  const state = await page.evaluate(() => {
    const w = window as unknown as { benchMarks?: Load["marks"]; benchResult?: unknown; benchError?: string; benchFirstFrame?: Record<string, number> | null };
    return { marks: w.benchMarks ?? {}, result: w.benchResult ?? null, error: w.benchError, firstFrame: w.benchFirstFrame };
  });
  // Let the last responses (the cache writes, a late worker-thread fetch) settle before counting.
  await page.waitForTimeout(300);
  await cdp.detach().catch(() => undefined);
  await page.close();
  const err = state.error ?? error;
  return {
    marks: state.marks,
    result: state.result,
    ...(state.firstFrame ? { firstFrame: state.firstFrame } : {}),
    ...(err ? { error: err } : {}),
    wire,
    timing,
    served: new Map(server.bytes),
  };
}
