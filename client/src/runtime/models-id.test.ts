import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultModelsUrl, MODELS_ID } from "./models-id.js";

describe("MODELS_ID", () => {
  it("is the first 16 hex digits of models/manifest.json's sha256 (update it when the manifest changes)", () => {
    const sha = createHash("sha256")
      .update(readFileSync(new URL("../../../models/manifest.json", import.meta.url)))
      .digest("hex");
    expect(MODELS_ID).toBe(sha.slice(0, 16));
  });

  it("names the worker's content-hashed models folder, whatever path the base URL has", () => {
    expect(defaultModelsUrl("https://faces.example.com")).toBe(`https://faces.example.com/models/${MODELS_ID}/`);
    expect(defaultModelsUrl("https://faces.example.com/some/path")).toBe(`https://faces.example.com/models/${MODELS_ID}/`);
  });
});
