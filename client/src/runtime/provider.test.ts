import { describe, expect, it } from "vitest";
import { chooseProvider, isSoftwareAdapter, type GpuAdapterLike, type GpuLike } from "./provider.js";

const gpu = (adapter: GpuAdapterLike | null): GpuLike => ({ requestAdapter: async () => adapter });
const swiftshader: GpuAdapterLike = { isFallbackAdapter: true, info: { vendor: "google", architecture: "swiftshader" } };
const hardware: GpuAdapterLike = { isFallbackAdapter: false, info: { vendor: "nvidia", architecture: "ampere" } };

describe("chooseProvider", () => {
  it("uses WebGPU on a hardware adapter", async () => {
    expect((await chooseProvider(gpu(hardware), "auto")).provider).toBe("webgpu");
  });

  it("prefers WASM on a software (SwiftShader / fallback) adapter unless WebGPU is forced", async () => {
    const auto = await chooseProvider(gpu(swiftshader), "auto");
    expect(auto.provider).toBe("wasm");
    expect(auto.reason).toMatch(/software/);
    expect((await chooseProvider(gpu(swiftshader), "webgpu")).provider).toBe("webgpu");
    expect(isSoftwareAdapter({ info: { architecture: "swiftshader" } })).toBe(true);
    expect(isSoftwareAdapter({ isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter(hardware)).toBe(false);
  });

  it("falls back to WASM without navigator.gpu or an adapter, and throws when WebGPU was forced", async () => {
    expect((await chooseProvider(undefined, "auto")).provider).toBe("wasm");
    expect((await chooseProvider(gpu(null), "auto")).provider).toBe("wasm");
    const throwing: GpuLike = { requestAdapter: async () => Promise.reject(new Error("blocked")) };
    expect((await chooseProvider(throwing, "auto")).provider).toBe("wasm");
    await expect(chooseProvider(undefined, "webgpu")).rejects.toThrow(/navigator.gpu/);
    await expect(chooseProvider(gpu(null), "webgpu")).rejects.toThrow(/no adapter/);
  });

  it("honours an explicit WASM request even with a GPU", async () => {
    expect(await chooseProvider(gpu(hardware), "wasm")).toEqual({ provider: "wasm", reason: "requested" });
  });
});
