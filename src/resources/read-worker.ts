// Worker-thread entry of read-parallel.ts: reads files with the fast reader, one at a time, claiming each
// from the counter it shares with the main thread, and posts what it read (or null: the file is for the
// precise reader, which runs on the main thread so that its positions and messages come from one place).

import { workerData, type MessagePort } from "node:worker_threads";
import { toTransfer } from "./fast-transfer.js";
import { readFast } from "./yaml-fast.js";

export interface ReadWorkerData {
  readonly texts: readonly string[];
  /** [0]: next file to claim; [1]: files posted (notified on each post). */
  readonly counters: Int32Array;
  readonly port: MessagePort;
}

export interface ReadWorkerMessage {
  readonly index: number;
  readonly docs: ReturnType<typeof toTransfer> | null;
}

const { texts, counters, port } = workerData as ReadWorkerData;
for (let i = Atomics.add(counters, 0, 1); i < texts.length; i = Atomics.add(counters, 0, 1)) {
  const fast = readFast(texts[i]!);
  const message: ReadWorkerMessage = { index: i, docs: fast === undefined ? null : toTransfer(fast) };
  port.postMessage(message);
  Atomics.add(counters, 1, 1);
  Atomics.notify(counters, 1);
}
port.close();
