import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, transform } from "esbuild";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * @facegate/react-native must load in Hermes without a browser: its dist, and
 * everything Metro would bundle from it (@facegate/client/core and its
 * chunks, the protocol, zod/mini, noble, @scure/base), names no DOM,
 * WebAssembly, crypto.subtle or onnxruntime-web. "Names" means code: an
 * global identifier or a property access, an import; the text of comments and of
 * messages or regular expressions (the session's error classifier matches
 * "WebAssembly" in ORT's messages) is not a reference.
 */
const PKG = fileURLToPath(new URL("../", import.meta.url));
const CLIENT_DIST = fileURLToPath(new URL("../../../client/dist/", import.meta.url));

/** Browser globals and the types they come with. */
const DOM_GLOBALS = [
  "window",
  "document",
  "navigator",
  "location",
  "caches",
  "localStorage",
  "indexedDB",
  "OffscreenCanvas",
  "ImageBitmap",
  "createImageBitmap",
  "HTMLVideoElement",
  "HTMLImageElement",
  "HTMLCanvasElement",
  "HTMLElement",
  "customElements",
  "requestAnimationFrame",
];
const FORBIDDEN_IDENTIFIERS = new Set([...DOM_GLOBALS, "WebAssembly"]);
const FORBIDDEN_MODULES = /^(onnxruntime-web|@hpke\/|@simplewebauthn\/|jpeg-js|pngjs|node:)/;

/** Identifiers and accessed property names in a script, and the modules it imports. */
function codeNames(source: string): { identifiers: Set<string>; properties: Set<string>; modules: Set<string> } {
  const file = ts.createSourceFile("x.js", source, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const identifiers = new Set<string>();
  const properties = new Set<string>();
  const modules = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) {
      properties.add(node.name.text);
      visit(node.expression);
      return;
    }
    if (ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression)) properties.add(node.argumentExpression.text);
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
      modules.add(node.moduleSpecifier.text);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0]))
      modules.add(node.arguments[0].text);
    if (ts.isIdentifier(node)) identifiers.add(node.text);
    node.forEachChild(visit);
  };
  visit(file);
  return { identifiers, properties, modules };
}

/**
 * Identifiers left after esbuild renames every local binding are the free
 * ones: globals (noble's `for (let window = ...)` is a local, renamed away).
 */
async function expectNoBrowser(name: string, source: string): Promise<void> {
  const { code } = await transform(source, { format: "esm", minifyIdentifiers: true, legalComments: "none" });
  const { identifiers, properties, modules } = codeNames(code);
  expect(
    [...identifiers].filter((i) => FORBIDDEN_IDENTIFIERS.has(i)),
    name,
  ).toEqual([]);
  expect(properties.has("subtle"), `${name} reads .subtle`).toBe(false);
  expect(
    [...modules].filter((m) => FORBIDDEN_MODULES.test(m)),
    name,
  ).toEqual([]);
}

/** Declarations without their comments (JSDoc may say "navigator.credentials" to explain a type). */
const withoutComments = (dts: string) => dts.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");

describe("@facegate/react-native's dist", () => {
  it("is checked by a scan that finds browser code where there is some (the client's browser loader)", async () => {
    const loader = readdirSync(CLIENT_DIST).find((f) => /^load-browser-.*\.js$/.test(f))!;
    const { code } = await transform(readFileSync(join(CLIENT_DIST, loader), "utf8"), { format: "esm", minifyIdentifiers: true });
    const { identifiers, modules } = codeNames(code);
    expect([...identifiers].filter((i) => FORBIDDEN_IDENTIFIERS.has(i))).toEqual(expect.arrayContaining(["navigator", "caches"]));
    expect([...modules].some((m) => m.startsWith("onnxruntime-web"))).toBe(true);
  });

  const files = readdirSync(join(PKG, "dist"));

  it("is ESM code and declarations only, importing the client through its core entry", () => {
    expect(files.sort()).toEqual(["index.d.ts", "index.js"]);
    const { modules } = codeNames(readFileSync(join(PKG, "dist/index.js"), "utf8"));
    expect([...modules].filter((m) => m.startsWith("@facegate/")).sort()).toEqual(["@facegate/client/core"]);
    expect(modules.has("onnxruntime-react-native")).toBe(true);
  });

  it("names no DOM global, WebAssembly, crypto.subtle or onnxruntime-web in its code", async () => {
    await expectNoBrowser("dist/index.js", readFileSync(join(PKG, "dist/index.js"), "utf8"));
  });

  it("declares no DOM or WebCrypto type and no onnxruntime-web, nor does the client core it re-exports", () => {
    for (const [name, text] of [
      ["dist/index.d.ts", readFileSync(join(PKG, "dist/index.d.ts"), "utf8")],
      ["@facegate/client dist/core.d.ts", readFileSync(join(CLIENT_DIST, "core.d.ts"), "utf8")],
    ] as const) {
      const code = withoutComments(text);
      expect(
        code.match(/\b(HTML\w*Element|ImageBitmap|OffscreenCanvas|Window|Document|Navigator|CryptoKey|CryptoKeyPair|SubtleCrypto|WebAssembly)\b/g) ?? [],
        name,
      ).toEqual([]);
      expect(code.includes("onnxruntime-web"), name).toBe(false);
    }
  });

  it("bundles as Metro would (react-native condition) without any browser code: the client core, zod/mini, noble, @scure/base", async () => {
    const out = await build({
      entryPoints: [join(PKG, "dist/index.js")],
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "neutral",
      mainFields: ["react-native", "module", "main"],
      conditions: ["react-native", "import"],
      external: ["onnxruntime-react-native"],
      legalComments: "none",
      logLevel: "silent",
    });
    const inputs = Object.keys(out.metafile.inputs);
    // What the bundle is made of: the client core's chunks, and no browser or Node entry of the client.
    expect(
      inputs.some((p) => /client\/dist\/core\.js$/.test(p)),
      inputs.join("\n"),
    ).toBe(true);
    expect(inputs.filter((p) => /client\/dist\/(index|node|elements|cli)\.js$|load-browser|onnxruntime-web|@hpke|@simplewebauthn/.test(p))).toEqual([]);
    expect(inputs.some((p) => p.includes("@noble/curves"))).toBe(true);
    const code = out.outputFiles[0]!.text;
    await expectNoBrowser("the bundle", code);
    console.log(`Metro-like bundle of @facegate/react-native: ${(code.length / 1024).toFixed(0)} KiB unminified, ${inputs.length} modules`);
  });
});
