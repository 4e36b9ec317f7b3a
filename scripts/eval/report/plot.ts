/**
 * ROC and DET plots, built once as a scene of lines and text and rendered
 * either to PNG (raster.ts, bitmap font) or to SVG (for the HTML report).
 */
import { textWidth } from "./font.js";
import { Raster, type Rgb, type TextStyle } from "./raster.js";

export interface CurvePoint {
  far: number;
  tar: number;
}

export interface Curve {
  label: string;
  points: readonly CurvePoint[];
  /** A marked operating point (e.g. at the shipped threshold). */
  marker?: CurvePoint;
}

export interface PlotOptions {
  title: string;
  width?: number;
  height?: number;
  /** Legend note for the markers, e.g. "o: at threshold 0.41". */
  markerNote?: string;
  /** DET axis titles (default: false accept / false reject rate; PAD: APCER / BPCER). */
  axes?: { x: string; y: string };
  /** DET range of both axes (default 1e-4 to 0.5). */
  range?: [number, number];
}

type Item =
  | { kind: "line"; x1: number; y1: number; x2: number; y2: number; color: Rgb; width: number; dash?: [number, number] }
  | { kind: "polyline"; points: [number, number][]; color: Rgb; width: number }
  | { kind: "circle"; cx: number; cy: number; r: number; color: Rgb; stroke?: Rgb }
  | { kind: "rect"; x: number; y: number; w: number; h: number; fill?: Rgb; stroke?: Rgb }
  | { kind: "text"; text: string; x: number; y: number; style: TextStyle; bold?: boolean };

export interface Scene {
  width: number;
  height: number;
  /** Curves and markers are clipped to this rectangle. */
  clip: { x: number; y: number; w: number; h: number };
  /** Drawn without clipping (axes, labels, legend). */
  items: Item[];
  /** Drawn clipped to `clip`. */
  clipped: Item[];
  /** Drawn last, unclipped (the legend). */
  overlay: Item[];
}

/** Tableau 10: distinguishable, and readable on white. */
export const PALETTE: Rgb[] = [
  [31, 119, 180],
  [214, 39, 40],
  [44, 160, 44],
  [255, 127, 14],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [23, 190, 207],
  [127, 127, 127],
  [188, 189, 34],
];

const INK: Rgb = [34, 34, 34];
const GRID: Rgb = [221, 221, 221];
const GRID_MINOR: Rgb = [240, 240, 240];
const LABEL: TextStyle = { scale: 2, color: INK };

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation,
 * relative error < 1.2e-9): the "normal deviate" scale of DET plots.
 */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - pl) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

interface Axis {
  /** Data value to [0, 1] along the axis (may fall outside for out-of-range values). */
  map(v: number): number;
  ticks: { v: number; label?: string; minor?: boolean }[];
  title: string;
}

function logAxis(lo: number, hi: number, title: string, labels: Record<number, string>): Axis {
  const l0 = Math.log10(lo);
  const l1 = Math.log10(hi);
  const ticks: Axis["ticks"] = [];
  for (let e = Math.ceil(l0); e <= Math.floor(l1); e++) {
    const v = 10 ** e;
    ticks.push({ v, label: labels[e] ?? `1e${e}` });
    if (e < l1) for (let m = 2; m <= 9; m++) ticks.push({ v: m * v, minor: true });
  }
  return { map: (v) => (Math.log10(Math.max(v, lo / 10)) - l0) / (l1 - l0), ticks, title };
}

function linearAxis(lo: number, hi: number, step: number, title: string): Axis {
  const ticks: Axis["ticks"] = [];
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9; k++) {
    ticks.push({ v: k * step, label: (k * step).toFixed(decimals) });
  }
  return { map: (v) => (v - lo) / (hi - lo), ticks, title };
}

function probitAxis(lo: number, hi: number, title: string): Axis {
  const z0 = normalQuantile(lo);
  const z1 = normalQuantile(hi);
  const major = [1e-4, 1e-3, 1e-2, 0.05, 0.2, 0.5, 0.8, 0.95];
  const minor = [2e-4, 5e-4, 2e-3, 5e-3, 0.02, 0.1, 0.3, 0.4, 0.6, 0.7, 0.9];
  const pct = (v: number) => `${Number((v * 100).toPrecision(2))}%`;
  const ticks: Axis["ticks"] = [
    ...major.filter((v) => v >= lo && v <= hi).map((v) => ({ v, label: pct(v) })),
    ...minor.filter((v) => v > lo && v < hi).map((v) => ({ v, minor: true })),
  ];
  const floor = lo / 10;
  return { map: (v) => (normalQuantile(Math.max(v, floor)) - z0) / (z1 - z0), ticks, title };
}

/** Legend lines: one per curve, then the marker note. */
function legendRows(curves: readonly Curve[], markerNote?: string): string[] {
  const rows = curves.map((c) => c.label);
  if (markerNote && curves.some((c) => c.marker)) rows.push(markerNote);
  return rows;
}

const legendWidth = (rows: readonly string[]) => 56 + Math.max(0, ...rows.map((r) => textWidth(r) * 2));

/**
 * Axes, grid, tick labels and titles. The legend goes to the right of the
 * plot area (`legendW` wide), where it can never hide a curve; the default
 * width leaves the plot area 680 pixels wide.
 */
function frame(opts: PlotOptions, x: Axis, y: Axis, legendW: number): Scene & { px: (v: number) => number; py: (v: number) => number } {
  const left = 100;
  const right = 24 + legendW + 12;
  const width = opts.width ?? left + 680 + right;
  const height = opts.height ?? 600;
  const top = 56;
  const bottom = 70;
  const w = width - left - right;
  const h = height - top - bottom;
  const px = (v: number) => left + x.map(v) * w;
  const py = (v: number) => top + h - y.map(v) * h;
  const items: Item[] = [{ kind: "rect", x: 0, y: 0, w: width, h: height, fill: [255, 255, 255] }];
  for (const t of x.ticks.filter((t) => t.minor)) items.push({ kind: "line", x1: px(t.v), y1: top, x2: px(t.v), y2: top + h, color: GRID_MINOR, width: 1 });
  for (const t of y.ticks.filter((t) => t.minor)) items.push({ kind: "line", x1: left, y1: py(t.v), x2: left + w, y2: py(t.v), color: GRID_MINOR, width: 1 });
  for (const t of x.ticks.filter((t) => !t.minor)) {
    items.push({ kind: "line", x1: px(t.v), y1: top, x2: px(t.v), y2: top + h, color: GRID, width: 1 });
    items.push({ kind: "line", x1: px(t.v), y1: top + h, x2: px(t.v), y2: top + h + 5, color: INK, width: 1 });
    items.push({ kind: "text", text: t.label ?? "", x: px(t.v), y: top + h + 10, style: { ...LABEL, align: "center", baseline: "top" } });
  }
  for (const t of y.ticks.filter((t) => !t.minor)) {
    items.push({ kind: "line", x1: left, y1: py(t.v), x2: left + w, y2: py(t.v), color: GRID, width: 1 });
    items.push({ kind: "line", x1: left - 5, y1: py(t.v), x2: left, y2: py(t.v), color: INK, width: 1 });
    items.push({ kind: "text", text: t.label ?? "", x: left - 9, y: py(t.v), style: { ...LABEL, align: "right", baseline: "middle" } });
  }
  items.push({ kind: "rect", x: left, y: top, w, h, stroke: INK });
  items.push({ kind: "text", text: x.title, x: left + w / 2, y: height - 22, style: { ...LABEL, align: "center", baseline: "top" } });
  items.push({ kind: "text", text: y.title, x: 12, y: top + h / 2, style: { ...LABEL, align: "center", baseline: "top", vertical: true } });
  items.push({ kind: "text", text: opts.title, x: left + w / 2, y: 18, style: { ...LABEL, align: "center", baseline: "top" }, bold: true });
  return { width, height, clip: { x: left, y: top, w, h }, items, clipped: [], overlay: [], px, py };
}

/** Screen polyline without points closer than 0.3 px to the previous one (the last point is kept). */
function simplify(points: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [k, p] of points.entries()) {
    const q = out[out.length - 1];
    if (q && k < points.length - 1 && Math.hypot(p[0] - q[0], p[1] - q[1]) < 0.3) continue;
    out.push(p);
  }
  return out;
}

function addCurves(scene: ReturnType<typeof frame>, curves: readonly Curve[], toXY: (p: CurvePoint) => [number, number], markerNote?: string): void {
  curves.forEach((c, k) => {
    const color = PALETTE[k % PALETTE.length]!;
    const pts = simplify(
      c.points.map((p) => {
        const [x, y] = toXY(p);
        return [scene.px(x), scene.py(y)];
      }),
    );
    scene.clipped.push({ kind: "polyline", points: pts, color, width: k === 0 ? 2.5 : 2 });
    if (c.marker) {
      // Unclipped, so a marker beyond the axis range (e.g. FAR 0) shows whole, on the border.
      const [x, y] = toXY(c.marker);
      const { x: cx0, y: cy0, w: cw, h: ch } = scene.clip;
      const cx = Math.min(cx0 + cw, Math.max(cx0, scene.px(x)));
      const cy = Math.min(cy0 + ch, Math.max(cy0, scene.py(y)));
      scene.overlay.push({ kind: "circle", cx, cy, r: 4.5, color: [255, 255, 255], stroke: color });
    }
  });
  const rows = legendRows(curves, markerNote);
  const lineH = 20;
  const boxW = legendWidth(rows);
  const boxH = 12 + rows.length * lineH;
  const { x, y, w } = scene.clip;
  const bx = x + w + 24;
  const by = y;
  scene.overlay.push({ kind: "rect", x: bx, y: by, w: boxW, h: boxH, fill: [255, 255, 255], stroke: [170, 170, 170] });
  rows.forEach((label, k) => {
    const cy = by + 16 + k * lineH;
    if (k < curves.length) {
      const color = PALETTE[k % PALETTE.length]!;
      scene.overlay.push({ kind: "line", x1: bx + 10, y1: cy, x2: bx + 40, y2: cy, color, width: 2.5 });
    } else {
      scene.overlay.push({ kind: "circle", cx: bx + 25, cy, r: 4.5, color: [255, 255, 255], stroke: INK });
    }
    scene.overlay.push({ kind: "text", text: label, x: bx + 48, y: cy, style: { ...LABEL, baseline: "middle" } });
  });
}

/** The lowest TAR any curve or marker shows at FAR >= farMin, for the ROC's y range. */
function lowestTar(curves: readonly Curve[], farMin: number): number {
  let lo = 1;
  for (const c of curves) {
    let tar = 0;
    for (const p of c.points) if (p.far <= farMin) tar = Math.max(tar, p.tar);
    lo = Math.min(lo, tar, c.marker?.tar ?? 1);
  }
  return lo;
}

/** ROC: TAR (linear, range fitted to the curves) against FAR on a log axis from 1e-4 to 1. */
export function rocScene(curves: readonly Curve[], opts: PlotOptions): Scene {
  const farMin = 1e-4;
  const low = lowestTar(curves, farMin);
  const ymin = Math.max(0, Math.min(0.9, Math.floor((low - 0.02) * 20) / 20));
  const span = 1 - ymin;
  const step = span <= 0.1 ? 0.01 : span <= 0.25 ? 0.05 : 0.1;
  const x = logAxis(farMin, 1, "False accept rate (FAR), log scale", { [-4]: "1e-4", [-3]: "1e-3", [-2]: "0.01", [-1]: "0.1", 0: "1" });
  const y = linearAxis(ymin, 1, step, "True accept rate (TAR)");
  const scene = frame(opts, x, y, legendWidth(legendRows(curves, opts.markerNote)));
  addCurves(scene, curves, (p) => [p.far, p.tar], opts.markerNote);
  return scene;
}

/** DET: FRR against FAR, both on normal-deviate (probit) scales, 0.01% to 50% unless `range` says otherwise. */
export function detScene(curves: readonly Curve[], opts: PlotOptions): Scene {
  const [lo, hi] = opts.range ?? [1e-4, 0.5];
  const x = probitAxis(lo, hi, opts.axes?.x ?? "False accept rate (normal deviate scale)");
  const y = probitAxis(lo, hi, opts.axes?.y ?? "False reject rate");
  const scene = frame(opts, x, y, legendWidth(legendRows(curves, opts.markerNote)));
  addCurves(scene, curves, (p) => [p.far, 1 - p.tar], opts.markerNote);
  return scene;
}

function drawItem(r: Raster, it: Item): void {
  switch (it.kind) {
    case "line":
      r.line(it.x1, it.y1, it.x2, it.y2, it.width, it.color, it.dash);
      break;
    case "polyline":
      r.polyline(it.points, it.width, it.color);
      break;
    case "circle":
      if (it.stroke) r.circle(it.cx, it.cy, it.r + 1.5, it.stroke);
      r.circle(it.cx, it.cy, it.r, it.color);
      break;
    case "rect":
      if (it.fill) r.fillRect(it.x, it.y, it.w, it.h, it.fill);
      if (it.stroke) r.strokeRect(it.x, it.y, it.w, it.h, 1, it.stroke);
      break;
    case "text":
      r.text(it.text, it.x, it.y, it.style);
      if (it.bold) r.text(it.text, it.x + 0.34, it.y, it.style);
      break;
  }
}

export function sceneToPng(scene: Scene): Buffer {
  const r = new Raster(scene.width, scene.height);
  for (const it of scene.items) drawItem(r, it);
  const { x, y, w, h } = scene.clip;
  r.setClip(x, y, w, h);
  for (const it of scene.clipped) drawItem(r, it);
  r.clearClip();
  for (const it of scene.overlay) drawItem(r, it);
  return r.toPng();
}

const css = (c: Rgb) => `rgb(${c[0]},${c[1]},${c[2]})`;
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function svgItem(it: Item): string {
  const n = (v: number) => Number(v.toFixed(2));
  switch (it.kind) {
    case "line":
      return `<line x1="${n(it.x1)}" y1="${n(it.y1)}" x2="${n(it.x2)}" y2="${n(it.y2)}" stroke="${css(it.color)}" stroke-width="${it.width}" stroke-linecap="round"${it.dash ? ` stroke-dasharray="${it.dash.join(" ")}"` : ""}/>`;
    case "polyline":
      return `<polyline fill="none" stroke="${css(it.color)}" stroke-width="${it.width}" stroke-linejoin="round" stroke-linecap="round" points="${it.points.map(([x, y]) => `${n(x)},${n(y)}`).join(" ")}"/>`;
    case "circle":
      return `<circle cx="${n(it.cx)}" cy="${n(it.cy)}" r="${it.r}" fill="${css(it.color)}"${it.stroke ? ` stroke="${css(it.stroke)}" stroke-width="2"` : ""}/>`;
    case "rect":
      return `<rect x="${n(it.x)}" y="${n(it.y)}" width="${n(it.w)}" height="${n(it.h)}" fill="${it.fill ? css(it.fill) : "none"}"${it.stroke ? ` stroke="${css(it.stroke)}"` : ""}/>`;
    case "text": {
      const size = it.style.scale * 7;
      const anchor = it.style.align === "center" ? "middle" : it.style.align === "right" ? "end" : "start";
      const dy = it.style.baseline === "top" ? size : it.style.baseline === "middle" ? size / 2 : 0;
      const weight = it.bold ? ` font-weight="bold"` : "";
      if (it.style.vertical) {
        return `<text transform="translate(${n(it.x + dy)},${n(it.y)}) rotate(-90)" text-anchor="${anchor}" font-size="${size * 1.3}"${weight} fill="${css(it.style.color)}">${esc(it.text)}</text>`;
      }
      return `<text x="${n(it.x)}" y="${n(it.y + dy)}" text-anchor="${anchor}" font-size="${size * 1.3}"${weight} fill="${css(it.style.color)}">${esc(it.text)}</text>`;
    }
  }
}

let svgCount = 0;

export function sceneToSvg(scene: Scene): string {
  const { x, y, w, h } = scene.clip;
  const id = `plot-clip-${++svgCount}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}" font-family="ui-monospace, Menlo, Consolas, monospace">`,
    `<defs><clipPath id="${id}"><rect x="${x}" y="${y}" width="${w}" height="${h}"/></clipPath></defs>`,
    ...scene.items.map(svgItem),
    `<g clip-path="url(#${id})">`,
    ...scene.clipped.map(svgItem),
    "</g>",
    ...scene.overlay.map(svgItem),
    "</svg>",
  ].join("\n");
}
