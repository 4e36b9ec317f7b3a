/**
 * Import boundaries (npm run lint; CONTRIBUTING.md "Layout" says why each exists).
 * Paths are relative to the repository root.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "protocol-is-the-bottom",
      comment: "src/protocol is shared by the worker, the SDK and native ports: it imports nothing of ours above it.",
      severity: "error",
      from: { path: "^src/protocol/", pathNot: "\\.test\\.ts$" },
      to: { path: "^(src/(?!protocol/)|client/|packages/|demo/|scripts/|bench/|test/)" },
    },
    {
      name: "client-imports-only-the-protocol",
      comment: "The SDK ships to browsers and phones: of the server side it may use the wire protocol only.",
      severity: "error",
      from: { path: "^client/src/" },
      to: { path: "^(src/(?!protocol/)|demo/|scripts/|bench/|test/|packages/)" },
    },
    {
      name: "relying-party-package-is-standalone",
      comment: "@facegate/relying-party is installed by relying parties: it imports no other part of the repository.",
      severity: "error",
      from: { path: "^packages/relying-party/src/" },
      to: { path: "^(src/|client/|demo/|scripts/|bench/|test/)" },
    },
    {
      name: "react-native-package-shares-the-client-core",
      comment:
        "@facegate/react-native runs the client's code through @facegate/client/core (no copy, and nothing of a browser); of the repository it bundles only the wire protocol.",
      severity: "error",
      from: { path: "^packages/react-native/src/" },
      to: { path: "^(src/(?!protocol/)|client/(?!dist/core\\.)|demo/|scripts/|bench/|test/|packages/(?!react-native/))" },
    },
    {
      name: "routes-use-the-vault-interface",
      comment: "Routes reach a subject's vault through its address (vaultFor) and its request/response types, never its internals.",
      severity: "error",
      from: { path: "^src/routes/" },
      to: { path: "^src/vault/(?!(address|types)\\.ts$)", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "worker-never-imports-the-demo",
      comment: "The demo relying party and its dev token issuer never ship in a production build.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^demo/" },
    },
    {
      name: "production-code-never-imports-tests",
      severity: "error",
      from: { path: "^(src|client/src|packages/[^/]+/src|demo|scripts|bench)/", pathNot: "\\.test\\.ts$" },
      to: { path: "^test/" },
    },
    {
      name: "no-circular",
      comment: "A cycle of runtime imports makes load order matter; a cycle through `import type` is erased at build time.",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|public|artifacts|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
