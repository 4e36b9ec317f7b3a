#!/usr/bin/env node
// The `facegate` command: a committed shim, so npm links it at install time even before `npm run build` made dist/.
import "../dist/cli.js";
