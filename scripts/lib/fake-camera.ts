import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { readImageFile } from "../../client/src/image/decode-node.js";
import { tempDir } from "./chromium.js";
import { writeY4m } from "./y4m.js";

/**
 * Files for Chromium's fake camera (--use-file-for-fake-video-capture), for
 * the browser tests and the browser benchmark.
 */
/** A fake-camera file made of a photo (absolute path, as Chromium requires). */
export async function cameraFrom(photo: string): Promise<string> {
  const path = join(tempDir("facegate-cam-"), "camera.y4m");
  writeY4m(path, await readImageFile(photo));
  return path;
}

/**
 * A fake-camera file made of part of a video clip, or of a still (ffmpeg, as
 * ../shared/data/video/README.md says): letterboxed to 640x480 at 15 fps.
 * Chromium loops it; the test reads from its start.
 */
export function cameraFromClip(clip: string, fromSeconds: number, seconds: number): string {
  const path = join(tempDir("facegate-clip-"), "camera.y4m");
  const filter = "scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=15,format=yuv420p";
  // A still (a print, a tablet) is looped into a clip of its own.
  const input = /\.(jpe?g|png)$/i.test(clip)
    ? ["-loop", "1", "-t", String(seconds), "-i", clip]
    : ["-ss", String(fromSeconds), "-t", String(seconds), "-i", clip];
  const r = spawnSync("ffmpeg", ["-v", "error", ...input, "-vf", filter, "-y", path]);
  if (r.status !== 0) throw new Error(`ffmpeg failed on ${clip}: ${r.stderr?.toString().slice(0, 300)}`);
  return path;
}
