import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page, Response } from "playwright-core";
import { REPO } from "../../../scripts/lib/shared-data.js";

/** Screenshots are test artifacts (git-ignored), one per step. */
export const SHOTS = join(REPO, "artifacts/browser");

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Waits until #status has settled on a final message (not "…ing…"). */
export async function finalStatus(page: Page, timeout = 180_000): Promise<string> {
  await page.waitForFunction(
    () => {
      const t = document.querySelector("#status")?.textContent ?? "";
      return t !== "" && !t.endsWith("…");
    },
    undefined,
    { timeout, polling: 250 },
  );
  return (await page.textContent("#status")) ?? "";
}

/**
 * page.goto with room for a loaded machine and a failure that says where it
 * stuck. The whole test run shares two cores (the node and worker projects run
 * beside the browser tests), and Playwright's default 30 s for the load event
 * is a timing assertion the house does not make: two full runs failed on it, on
 * a page of about 200 kB of its own files that loads in 0.3-0.8 s here even with
 * six busy processes beside it; what held those loads was not found. The error
 * lists the requests still open, with when each started, so the next such
 * failure names the resource (or the server) that held the page.
 */
export async function openPage(page: Page, url: string, timeout = 150_000): Promise<Response | null> {
  const started = Date.now();
  const open = new Map<string, number>();
  const track = (r: { url(): string }) => open.set(r.url(), Date.now() - started);
  const done = (r: { url(): string }) => open.delete(r.url());
  page.on("request", track);
  page.on("requestfinished", done);
  page.on("requestfailed", done);
  try {
    return await page.goto(url, { timeout });
  } catch (e) {
    const origin = new URL(url).origin;
    const pending = [...open].map(([u, at]) => `${u.replace(origin, "")} (asked at ${at} ms)`);
    throw new Error(`${(e as Error).message}\nafter ${Date.now() - started} ms; requests still open: ${pending.join(", ") || "none"}`, { cause: e });
  } finally {
    page.off("request", track);
    page.off("requestfinished", done);
    page.off("requestfailed", done);
  }
}
