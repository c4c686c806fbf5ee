// The file-reading edge: expands directories and reads resource files. Problems become issues.

import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Issue } from "../util/issue.js";
import { error } from "./findings.js";
import { fileIssue } from "./issues.js";
import type { SourceFile } from "./parse.js";

const EXTENSIONS = [".yaml", ".yml", ".json"];

const isResourceFile = (name: string): boolean => EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext));

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Resource files under a directory, recursively, in sorted order (directories in place). */
const listDirectory = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.map((e) => e.name).sort();
  const out: string[] = [];
  for (const name of names) {
    const entry = entries.find((e) => e.name === name);
    const path = join(dir, name);
    if (entry?.isDirectory() === true) out.push(...(await listDirectory(path)));
    else if (isResourceFile(name)) out.push(path);
  }
  return out;
};

/**
 * Reads the given files, and every .yaml/.yml/.json file under the given directories. A file named
 * explicitly is read whatever its extension. Missing or unreadable paths are reported as issues.
 */
export const loadResourceFiles = async (
  paths: readonly string[],
): Promise<{ files: SourceFile[]; issues: Issue[] }> => {
  const files: SourceFile[] = [];
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    let targets: string[];
    try {
      targets = (await stat(path)).isDirectory() ? await listDirectory(path) : [path];
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
      issues.push(
        fileIssue(
          path,
          error([], missing ? { code: "file_not_found" } : { code: "file_unreadable", reason: reason(e) }),
        ),
      );
      continue;
    }
    for (const target of targets) {
      if (seen.has(target)) continue;
      seen.add(target);
      try {
        files.push({ path: target, text: await readFile(target, "utf8") });
      } catch (e) {
        issues.push(fileIssue(target, error([], { code: "file_unreadable", reason: reason(e) })));
      }
    }
  }
  return { files, issues };
};
