/**
 * Luma with the ITU-R BT.601 weights (what OpenCV's RGB2GRAY and most
 * landmark training pipelines use), on 0-255 values. The one definition the
 * quality gates, the landmark model's input and the denoiser's detector share.
 */
export function luma(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}
