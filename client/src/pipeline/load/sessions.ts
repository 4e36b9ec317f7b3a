import type { LoadedModel } from "../../runtime/load-models.js";
import type { OrtPlatform, ProviderPreference } from "../../runtime/ort.js";
import { ModelSession, type ToolingOverrides } from "../../runtime/session.js";
import type { Provider } from "../types.js";

/**
 * One session per model, all on the same provider: the platform's choice,
 * and WASM when WebGPU still fails at session creation (device lost, a
 * missing kernel) unless WebGPU was asked for. A failure releases what was
 * opened.
 */
export async function openSessions(
  platform: OrtPlatform,
  files: ReadonlyMap<string, LoadedModel>,
  wanted: readonly string[],
  preference: ProviderPreference,
  tooling?: ToolingOverrides,
): Promise<{ sessions: ModelSession[]; choice: { provider: Provider; reason: string } }> {
  let choice = await platform.selectProvider(preference);
  const create = async (provider: Provider) => {
    const out: ModelSession[] = [];
    try {
      for (const id of wanted) {
        const f = files.get(id)!;
        out.push(await ModelSession.create(platform.ort, id, f.entry, f.bytes, provider, tooling));
      }
    } catch (e) {
      await Promise.all(out.map((s) => s.release().catch(() => undefined)));
      throw e;
    }
    return out;
  };
  try {
    return { sessions: await create(choice.provider), choice };
  } catch (e) {
    if (choice.provider !== "webgpu" || preference === "webgpu") throw e;
    choice = { provider: "wasm", reason: `WebGPU session failed (${(e as Error).message}); using WASM` };
    return { sessions: await create("wasm"), choice };
  }
}
