// Starting one of our modules in a worker thread, compiled (dist/, build/) or from TypeScript source (tests
// and development run src/ through tsx). Node 20 does not apply tsx's `--import` hooks to worker threads,
// so from source the worker registers tsx itself (its CommonJS hooks, the only ones that load in an
// eval'd worker) and requires the module. So a worker module, and what it imports, must not use top-level
// await or import.meta (they do not exist in CommonJS); compiled, it is the ES module it reads as.

import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/** `name` is the module's file name without extension, next to `from` (the caller's import.meta.url). */
export const startWorker = (from: string, name: string, options: WorkerOptions): Worker => {
  if (!from.endsWith(".ts")) return new Worker(new URL(`./${name}.js`, from), options);
  const tsx = createRequire(from).resolve("tsx/cjs/api");
  const source = fileURLToPath(new URL(`./${name}.ts`, from));
  const code = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)});`;
  return new Worker(code, { ...options, eval: true });
};
