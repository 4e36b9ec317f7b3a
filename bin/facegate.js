#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so it is always the code in client/src.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../client/src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
