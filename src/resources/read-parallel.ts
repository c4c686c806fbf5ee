// Reading a large cluster on two cores. YAML reading is about half of loading; validation, the other
// half, needs the model's functions and stays on the main thread. A worker thread reads files with the
// fast reader while the main thread validates what the worker has read, and reads files itself when it has
// nothing to validate; both claim files from one shared counter, so neither waits while files remain.
// The result is exactly parseResources' (test/resources/read-parallel.test.ts): the same readers, the
// same per-file building, assembled in file order.

import { availableParallelism } from "node:os";
import { MessageChannel, receiveMessageOnPort } from "node:worker_threads";
import type { Issue } from "../util/issue.js";
import { startWorker, waitForChange } from "../util/worker.js";
import type { Cluster } from "./model.js";
import { fromTransfer } from "./fast-transfer.js";
import {
  assembleFiles,
  buildFileResources,
  parseResources,
  type FileResources,
  type SourceFile,
} from "./parse.js";
import type { ReadWorkerData, ReadWorkerMessage } from "./read-worker.js";
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
    ? files.length > 1 &&
      availableParallelism() > 1 &&
      files.reduce((n, f) => n + f.text.length, 0) >= PARALLEL_MIN_CHARS
    : option;

/** parseResources, with a worker thread reading files when that pays (see wantsWorker). */
export const parseResourcesParallel = async (
  files: readonly SourceFile[],
  options: ParallelReadOptions = {},
): Promise<{ cluster: Cluster; issues: Issue[] }> => {
  if (!wantsWorker(files, options.worker)) return parseResources(files);
  const counters = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  const data: ReadWorkerData = { texts: files.map((f) => f.text), counters, port: port2 };
  const worker = startWorker(import.meta.url, "read-worker", { workerData: data, transferList: [port2] });
  let workerGone = false;
  const gone = (): void => {
    workerGone = true;
    // Wake the main thread if it is waiting for a post that will not come.
    Atomics.notify(counters, 1);
  };
  worker.on("error", gone).on("exit", gone);

  const perFile: (FileResources | undefined)[] = new Array(files.length);
  let done = 0;
  let received = 0;
  const finish = (index: number, result: FileResources): void => {
    perFile[index] = result;
    done++;
  };
  try {
    while (done < files.length) {
      // Validate what the worker has read first: it keeps the worker's queue short.
      const m = receiveMessageOnPort(port1)?.message as ReadWorkerMessage | undefined;
      if (m !== undefined) {
        received++;
        const file = files[m.index]!;
        const fast = m.docs === null ? undefined : fromTransfer(m.docs);
        options.onRead?.(file.path, "worker");
        finish(m.index, buildFileResources(documentsOf(file.path, file.text, fast)));
        continue;
      }
      const mine = options.callerReads === false ? files.length : Atomics.add(counters, 0, 1);
      if (mine < files.length) {
        const file = files[mine]!;
        options.onRead?.(file.path, "main");
        finish(mine, buildFileResources(readDocuments(file.path, file.text)));
        continue;
      }
      if (workerGone) {
        // The worker died holding a file (it never does on valid input, but the result must not
        // depend on it): whatever is still missing is read here.
        for (let i = 0; i < files.length; i++) {
          const file = files[i]!;
          if (perFile[i] !== undefined) continue;
          options.onRead?.(file.path, "main");
          finish(i, buildFileResources(readDocuments(file.path, file.text)));
        }
        break;
      }
      // Everything is claimed and the worker is still reading: wait for its next post. Waiting
      // asynchronously lets the worker's error and exit events through.
      const posted = Atomics.load(counters, 1);
      if (posted === received) await waitForChange(counters, 1, posted, 1000);
    }
  } finally {
    port1.close();
    if (!workerGone) void worker.terminate();
  }
  return assembleFiles(files, perFile as FileResources[]);
};
