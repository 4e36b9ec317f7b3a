// The published `facegate` command (package.json "bin"); the repository runs the same main() from source (bin/facegate.js).
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2));
