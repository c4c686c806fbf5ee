// Cleanups that must also run when the process is interrupted: a topology registers its teardown
// here, so SIGINT/SIGTERM stop its listeners and delete its namespaces (by exact name) before exiting.

type Cleanup = () => Promise<void>;

const pending = new Set<Cleanup>();
const SIGNALS = ["SIGINT", "SIGTERM"] as const;

// 128 + signal number, as a shell reports it.
const exitCode = (signal: NodeJS.Signals): number => (signal === "SIGINT" ? 130 : 143);
let stopping = false;

const onSignal = (signal: NodeJS.Signals): void => {
  // Our listener stays installed, and ignores repeats, until the cleanup is done: execa's signal-exit
  // (which can count itself twice) removes its own listener and re-raises the signal, which without a
  // listener would kill us before any namespace is deleted.
  if (stopping) return;
  stopping = true;
  const all = [...pending];
  pending.clear();
  void Promise.allSettled(all.map((f) => f())).finally(() => process.exit(exitCode(signal)));
};

let installed = false;
const install = (): void => {
  if (installed) return;
  installed = true;
  for (const s of SIGNALS) process.on(s, onSignal);
};
const uninstall = (): void => {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.off(s, onSignal);
};

/** Runs `fn` on SIGINT/SIGTERM until the returned function unregisters it. */
export const registerCleanup = (fn: Cleanup): (() => void) => {
  pending.add(fn);
  install();
  return () => {
    pending.delete(fn);
    // While a signal's cleanups run, teardowns unregister themselves: keep listening until we exit.
    if (pending.size === 0 && !stopping) uninstall();
  };
};
