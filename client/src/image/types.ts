/**
 * The one image type the pipeline works on: 8-bit RGBA, row-major, no
 * padding (the layout of ImageData). Everything else (files, encoded bytes,
 * <video>, ImageBitmap...) is converted to this at the edge.
 */
export interface RgbaImage {
  readonly data: Uint8ClampedArray | Uint8Array;
  readonly width: number;
  readonly height: number;
}
