// tsc writes dist/cli/main.js without the execute bit, and `npm ci` could not set it: on a fresh clone the
// file did not exist yet when npm linked node_modules/.bin/calisim to it. Without the bit, `npx calisim`
// fails with "Permission denied".
import { chmodSync, readFileSync } from "node:fs";
import { URL } from "node:url";

const { bin } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
for (const file of Object.values(bin)) chmodSync(new URL(`../${file}`, import.meta.url), 0o755);
