// Resource files under a directory as SourceFiles (path and text), sorted by path: what
// loadResourceFiles reads, for tests that parse the texts themselves.

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { SourceFile } from "../../src/resources/parse.js";

export const filesUnder = async (dir: string): Promise<SourceFile[]> => {
  const out: SourceFile[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(path)));
    else if (/\.(ya?ml|json)$/.test(e.name)) out.push({ path, text: await readFile(path, "utf8") });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
};
