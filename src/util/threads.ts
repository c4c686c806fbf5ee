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
  // 0: memory is no bound (no resources' text for a worker to copy).
  if (!(perWorker >= 0))
    throw new RangeError(`perWorker ${perWorker}: expected a number of bytes, 0 or more`);
  const workers = perWorker === 0 ? Infinity : Math.floor(available / perWorker);
  return Math.max(1, Math.min(cores, 1 + workers));
};
