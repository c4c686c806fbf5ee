// How many threads to use by default: the machine's cores, but no more than the memory now available
// holds. Each extra thread (a worker) loads its own copy of the cluster, so on a machine with many cores and
// little memory (a CI runner, a container with a memory limit) "one per core" can run out of memory.

import { availableParallelism } from "node:os";

/** The memory the process may still take: free memory, or what a container's limit leaves if that is less. */
export const availableMemory = (): number => process.availableMemory();

/**
 * The calling thread (already loaded) and as many workers as `available` bytes hold at `perWorker` bytes
 * each, at most `cores` threads in all; never fewer than 1.
 */
export const threadsFor = (
  perWorker: number,
  cores: number = availableParallelism(),
  available: number = availableMemory(),
): number => {
  if (!(perWorker > 0)) throw new RangeError(`perWorker ${perWorker}: expected a number of bytes above 0`);
  return Math.max(1, Math.min(cores, 1 + Math.floor(available / perWorker)));
};
