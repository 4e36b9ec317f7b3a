/**
 * A tiny anti-aliased rasteriser for plots: everything is drawn at 3x
 * resolution, solid, then box-filtered down, which smooths lines and
 * scaled bitmap text alike. Coordinates are output pixels.
 */
import { PNG } from "pngjs";
import { GLYPH_ADVANCE, glyphColumns, textWidth } from "./font.js";

export type Rgb = readonly [number, number, number];

export interface TextStyle {
  /** Output pixels per font pixel (2 = 10x14 capitals). */
  scale: number;
  color: Rgb;
  align?: "left" | "center" | "right";
  /** Vertical anchor: top of capitals, their middle, or their baseline. */
  baseline?: "top" | "middle" | "bottom";
  /** Rotated 90 degrees counter-clockwise (reads bottom to top), for a y-axis label. */
  vertical?: boolean;
}

const CAP_HEIGHT = 7;

export class Raster {
  readonly ss = 3;
  private readonly sw: number;
  private readonly sh: number;
  private readonly buf: Uint8ClampedArray;
  private clip = { x0: 0, y0: 0, x1: 0, y1: 0 };

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    this.sw = width * this.ss;
    this.sh = height * this.ss;
    this.buf = new Uint8ClampedArray(this.sw * this.sh * 3);
    for (let k = 0; k < this.buf.length; k += 3) this.buf.set(background, k);
    this.clearClip();
  }

  setClip(x: number, y: number, w: number, h: number): void {
    const s = this.ss;
    this.clip = {
      x0: Math.max(0, Math.round(x * s)),
      y0: Math.max(0, Math.round(y * s)),
      x1: Math.min(this.sw, Math.round((x + w) * s)),
      y1: Math.min(this.sh, Math.round((y + h) * s)),
    };
  }

  clearClip(): void {
    this.clip = { x0: 0, y0: 0, x1: this.sw, y1: this.sh };
  }

  /** Fills supersampled pixels [x0, x1) x [y0, y1). */
  private fillSs(x0: number, y0: number, x1: number, y1: number, color: Rgb): void {
    const c = this.clip;
    const xa = Math.max(c.x0, Math.floor(x0));
    const xb = Math.min(c.x1, Math.ceil(x1));
    const ya = Math.max(c.y0, Math.floor(y0));
    const yb = Math.min(c.y1, Math.ceil(y1));
    for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) this.buf.set(color, (y * this.sw + x) * 3);
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const s = this.ss;
    this.fillSs(Math.round(x * s), Math.round(y * s), Math.round((x + w) * s), Math.round((y + h) * s), color);
  }

  strokeRect(x: number, y: number, w: number, h: number, width: number, color: Rgb): void {
    this.line(x, y, x + w, y, width, color);
    this.line(x + w, y, x + w, y + h, width, color);
    this.line(x + w, y + h, x, y + h, width, color);
    this.line(x, y + h, x, y, width, color);
  }

  /** A segment `width` pixels wide with round caps; `dash` = [on, off] lengths in pixels. */
  line(x1: number, y1: number, x2: number, y2: number, width: number, color: Rgb, dash?: readonly [number, number]): void {
    const s = this.ss;
    const ax = x1 * s;
    const ay = y1 * s;
    const bx = x2 * s;
    const by = y2 * s;
    const r = (width * s) / 2;
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const len = Math.sqrt(len2);
    const c = this.clip;
    const xa = Math.max(c.x0, Math.floor(Math.min(ax, bx) - r));
    const xb = Math.min(c.x1, Math.ceil(Math.max(ax, bx) + r));
    const ya = Math.max(c.y0, Math.floor(Math.min(ay, by) - r));
    const yb = Math.min(c.y1, Math.ceil(Math.max(ay, by) + r));
    const r2 = r * r;
    for (let y = ya; y < yb; y++) {
      for (let x = xa; x < xb; x++) {
        const px = x + 0.5 - ax;
        const py = y + 0.5 - ay;
        const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
        const ex = px - t * dx;
        const ey = py - t * dy;
        if (ex * ex + ey * ey > r2) continue;
        if (dash && len > 0) {
          const along = (t * len) / s;
          if (along % (dash[0] + dash[1]) > dash[0]) continue;
        }
        this.buf.set(color, (y * this.sw + x) * 3);
      }
    }
  }

  polyline(points: readonly (readonly [number, number])[], width: number, color: Rgb): void {
    for (let k = 1; k < points.length; k++) {
      const p = points[k - 1]!;
      const q = points[k]!;
      this.line(p[0], p[1], q[0], q[1], width, color);
    }
  }

  circle(cx: number, cy: number, radius: number, color: Rgb): void {
    this.line(cx, cy, cx, cy, 2 * radius, color);
  }

  /** Bitmap text; see TextStyle for anchoring. */
  text(str: string, x: number, y: number, style: TextStyle): void {
    const s = this.ss;
    const px = Math.max(1, Math.round(style.scale * s));
    const w = textWidth(str) * px;
    const capH = CAP_HEIGHT * px;
    const along = style.align === "center" ? -w / 2 : style.align === "right" ? -w : 0;
    const across = style.baseline === "middle" ? -capH / 2 : style.baseline === "bottom" ? -capH : 0;
    // Snap the anchor to whole output pixels so glyph pixels stay crisp.
    const ox = Math.round(x) * s;
    const oy = Math.round(y) * s;
    for (let i = 0; i < str.length; i++) {
      const cols = glyphColumns(str[i]!);
      for (let cx = 0; cx < 5; cx++) {
        const bits = cols[cx]!;
        for (let row = 0; row < 8; row++) {
          if (!(bits & (1 << row))) continue;
          const u = Math.round(along) + (i * GLYPH_ADVANCE + cx) * px;
          const v = Math.round(across) + row * px;
          if (style.vertical) this.fillSs(ox + v, oy - u - px, ox + v + px, oy - u, style.color);
          else this.fillSs(ox + u, oy + v, ox + u + px, oy + v + px, style.color);
        }
      }
    }
  }

  /** Box-filters the 3x buffer down and encodes an RGB PNG. */
  toPng(): Buffer {
    const png = new PNG({ width: this.width, height: this.height, colorType: 2, inputHasAlpha: true });
    const s = this.ss;
    const n = s * s;
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let yy = 0; yy < s; yy++) {
          let k = ((y * s + yy) * this.sw + x * s) * 3;
          for (let xx = 0; xx < s; xx++, k += 3) {
            r += this.buf[k]!;
            g += this.buf[k + 1]!;
            b += this.buf[k + 2]!;
          }
        }
        const o = (y * this.width + x) * 4;
        png.data[o] = Math.round(r / n);
        png.data[o + 1] = Math.round(g / n);
        png.data[o + 2] = Math.round(b / n);
        png.data[o + 3] = 255;
      }
    }
    return PNG.sync.write(png, { colorType: 2 });
  }
}
