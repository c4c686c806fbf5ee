// The file-reading edge: directories, extensions, order, missing paths.

import test from "ava";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCluster, loadResourceFiles } from "../../src/resources/index.js";
import { formatIssue } from "../../src/util/issue.js";

const tree = async (files: Record<string, string>): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), "calisim-resources-"));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
};

test("directories are read recursively, sorted, resource extensions only", async (t) => {
  const dir = await tree({
    "b.yaml": "",
    "a.yml": "",
    "sub/c.json": "{}",
    "sub/z/d.YAML": "",
    "notes.txt": "x",
    "e.yaml.bak": "",
  });
  const { files, issues } = await loadResourceFiles([dir]);
  t.deepEqual(issues, []);
  t.deepEqual(
    files.map((f) => f.path.slice(dir.length + 1)),
    ["a.yml", "b.yaml", "sub/c.json", "sub/z/d.YAML"],
  );
  await rm(dir, { recursive: true });
});

test("a file named explicitly is read whatever its extension, once", async (t) => {
  const dir = await tree({ "x.txt": "a: 1" });
  const path = join(dir, "x.txt");
  const { files } = await loadResourceFiles([path, path]);
  t.deepEqual(files, [{ path, text: "a: 1" }]);
  await rm(dir, { recursive: true });
});

test("a missing path is an error issue; the others still load", async (t) => {
  const { cluster, issues } = await loadCluster([
    "fixtures/does-not-exist.yaml",
    "fixtures/example-cluster/tiers.yaml",
  ]);
  t.deepEqual(issues.map(formatIssue), ["error: fixtures/does-not-exist.yaml no such file or directory"]);
  t.deepEqual(
    cluster.tiers.map((tier) => tier.metadata.name),
    ["security"],
  );
});
