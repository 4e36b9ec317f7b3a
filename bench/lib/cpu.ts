import { readFileSync } from "node:fs";
import os from "node:os";

export interface CpuInfo {
  /** The processor's model name, e.g. "AMD EPYC 7B13" or "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz". */
  model: string;
  vendor: string;
  cpus: number;
  /** The vector extensions native ONNX Runtime (MLAS) picks kernels by; WASM uses none of them. */
  flags: string[];
}

const FLAGS = ["avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile"];

/**
 * What CPU the benchmark ran on: the numbers differ by CPU kind (Intel cores
 * take a slow path on denormal operands, AMD's do not; docs/BENCHMARKS.md),
 * so every report names it. /proc/cpuinfo on Linux, os.cpus() elsewhere.
 */
export function cpuInfo(cpuinfo: string | null = readCpuinfo()): CpuInfo {
  const field = (name: string) => cpuinfo?.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, "m"))?.[1]?.trim();
  const flags = new Set((field("flags") ?? "").split(/\s+/));
  return {
    model: field("model name") ?? os.cpus()[0]?.model ?? "unknown",
    vendor: field("vendor_id") ?? "unknown",
    cpus: os.cpus().length,
    flags: FLAGS.filter((f) => flags.has(f)),
  };
}

export function describeCpu(c: CpuInfo): string {
  return `${c.model} (${c.vendor}, ${c.cpus} CPUs${c.flags.length ? `, ${c.flags.join(" ")}` : ""})`;
}

function readCpuinfo(): string | null {
  try {
    return readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return null;
  }
}
