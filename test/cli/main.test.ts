import { execa } from "execa";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import module from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { MAIN } from "./run.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};
const hasCompileCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === "function";

const filesUnder = async (dir: string): Promise<number> =>
  (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;

test(`the executable keeps compiled code in NODE_COMPILE_CACHE when Node has one (here: ${hasCompileCache ? "yes" : "no"}, Node ${process.version})`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "calisim-compile-cache-"));
  try {
    const run = () =>
      execa(process.execPath, ["--import", "tsx", MAIN, "--version"], {
        env: { NODE_COMPILE_CACHE: dir, NODE_DISABLE_COMPILE_CACHE: undefined },
      });
    const first = await run();
    t.is(first.stdout.trim(), version);
    const cached = await filesUnder(dir);
    // Node >= 22.1: our modules (program.ts and all it imports) are compiled into the cache; Node 20
    // has no compile cache, and the executable runs the same without it.
    if (hasCompileCache) t.true(cached > 100, `${cached} files cached`);
    else t.is(cached, 0);
    t.is((await run()).stdout.trim(), version, "and runs from the cache");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
