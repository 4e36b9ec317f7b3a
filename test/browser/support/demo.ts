import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
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
