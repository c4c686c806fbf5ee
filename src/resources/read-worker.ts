// Worker-thread entry of read-parallel.ts: reads files with the fast reader, one at a time, claiming each
// from the counter it shares with the main thread (util/claim-pool.ts), and posts what it read (or null:
// the file is for the precise reader, which runs on the main thread so that its positions and messages
// come from one place).

import { workerData } from "node:worker_threads";
import { serveClaims, type ClaimShare } from "../util/claim-pool.js";
import { toTransfer, type TransferDoc } from "./fast-transfer.js";
import { readFast } from "./yaml-fast.js";

export interface ReadWorkerData extends ClaimShare {
  readonly texts: readonly string[];
}

/** What the worker posts for a file. */
export type ReadWorkerResult = TransferDoc[] | null;

const { texts, ...share } = workerData as ReadWorkerData;
serveClaims(share, texts.length, (i): ReadWorkerResult => {
  const fast = readFast(texts[i]!);
  return fast === undefined ? null : toTransfer(fast);
});
