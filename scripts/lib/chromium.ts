import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext } from "playwright-core";

/** Debian's Chromium (apt-get install chromium); never a downloaded browser. */
export const CHROMIUM = "/usr/bin/chromium";

export interface LaunchOptions {
  /** Absolute path of a .y4m file for the fake camera. */
  camera?: string;
  /** Adds --enable-unsafe-webgpu (SwiftShader without a GPU). */
  webgpu?: boolean;
}

/**
 * Launches Chromium headless, off the network (the machine is offline:
 * background services would only fail), with a fresh profile and, when asked,
 * a fake camera fed from a file and the permission prompt auto-accepted.
 */
export async function launchChromium(opts: LaunchOptions = {}): Promise<{ browser: Browser; context: BrowserContext }> {
  const args = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
  ];
  if (opts.camera) {
    args.push("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${opts.camera}`);
  }
  if (opts.webgpu) args.push("--enable-unsafe-webgpu");
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });
  const context = await browser.newContext({ permissions: opts.camera ? ["camera"] : [] });
  return { browser, context };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
