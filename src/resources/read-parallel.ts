// Reading a large cluster on two cores. YAML reading is about half of loading; validation, the other
// half, needs the model's functions and stays on the main thread. A worker thread reads files with the
// fast reader while the main thread validates what the worker has read, and reads files itself when it has
// nothing to validate; both claim files from one shared counter, so neither waits while files remain.
// The result is exactly parseResources' (test/resources/read-parallel.test.ts): the same readers, the
// same per-file building, assembled in file order.

import { availableParallelism } from "node:os";
import type { Issue } from "../util/issue.js";
import { runClaimPool } from "../util/claim-pool.js";
import { startWorker } from "../util/worker.js";
import type { Cluster } from "./model.js";
import { fromTransfer } from "./fast-transfer.js";
import {
  assembleFiles,
  buildFileResources,
  parseResources,
  textChars,
  type FileResources,
  type SourceFile,
} from "./parse.js";
import type { ReadWorkerData, ReadWorkerResult } from "./read-worker.js";
import { documentsOf, readDocuments } from "./yaml-source.js";

/** Below this much text a worker's start-up (tens of milliseconds) costs more than it saves. */
export const PARALLEL_MIN_CHARS = 2_000_000;

export interface ParallelReadOptions {
  /** "auto": a worker when the text is large and there is a second core; true/false force it. */
  readonly worker?: boolean | "auto";
  /** false: with a worker, the main thread only validates what the worker reads (tests); default true. */
  readonly callerReads?: boolean;
  /** Told which thread read each file (tests, the benchmark). */
  readonly onRead?: (path: string, thread: "main" | "worker") => void;
}

export const wantsWorker = (files: readonly SourceFile[], option: boolean | "auto" = "auto"): boolean =>
  option === "auto"
    ? files.length > 1 && availableParallelism() > 1 && textChars(files) >= PARALLEL_MIN_CHARS
    : option;

/** parseResources, with a worker thread reading files when that pays (see wantsWorker). */
export const parseResourcesParallel = async (
  files: readonly SourceFile[],
  options: ParallelReadOptions = {},
): Promise<{ cluster: Cluster; issues: Issue[] }> => {
  if (!wantsWorker(files, options.worker)) return parseResources(files);
  const texts = files.map((f) => f.text);
  const perFile = await runClaimPool<FileResources, ReadWorkerResult>({
    count: files.length,
    workers: 1,
    start: (share) => {
      const data: ReadWorkerData = { texts, ...share };
      return startWorker(import.meta.url, "read-worker", { workerData: data, transferList: [share.port] });
    },
    callerWorks: options.callerReads !== false,
    work: (i) => buildFileResources(readDocuments(files[i]!.path, texts[i]!)),
    // What the worker read, validated here.
    receive: (i, docs) =>
      buildFileResources(
        documentsOf(files[i]!.path, texts[i]!, docs === null ? undefined : fromTransfer(docs)),
      ),
    onDone: (i, thread) => options.onRead?.(files[i]!.path, thread === "caller" ? "main" : "worker"),
  });
  return assembleFiles(files, perFile);
};
