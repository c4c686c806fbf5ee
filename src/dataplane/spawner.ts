// The real Spawner: long-running processes (listeners inside namespaces) through execa. Apart from runner.ts
// so that only the commands that spawn (conformance, the dataplane tests) import execa up front: a Spawner
// returns its process at once.

import { execa } from "execa";
import { toolEnv, type Spawner } from "./runner.js";

const STOP_GRACE_MS = 1000;

export const execaSpawner: Spawner = (file, args) => {
  const child = execa(file, [...args], {
    reject: false,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    buffer: false,
    env: toolEnv(),
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-2000)));
  const firstLine = new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    void child.then((r) =>
      reject(
        new Error(
          `${[file, ...args].join(" ")} exited (${r.exitCode ?? r.signal}) before it was ready: ${stderr.trim()}`,
        ),
      ),
    );
  });
  firstLine.catch(() => undefined);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin?.end();
    if (child.pid !== undefined) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await child;
    clearTimeout(timer);
  };
  return { pid: child.pid, firstLine, stop };
};
