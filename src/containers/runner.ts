// A Runner (src/dataplane/runner.ts) that runs programs inside a container with `docker exec`, so the code
// that drives ipset, iptables-restore and ip on a machine can drive a container node unchanged.

import { randomBytes } from "node:crypto";
import type { StartedTestContainer } from "testcontainers";
import type { RunResult, Runner } from "../dataplane/runner.js";

// Both run "$@" with the input on stdin and keep the program's exit code (the last command of a pipeline
// in sh). Input and arguments travel as argv, never through a shell string, so they need no quoting.
// Small inputs go base64-encoded in argv (one exec); larger ones are copied in as a file first, because
// Linux limits one argument to 128 KiB (MAX_ARG_STRLEN).
const FROM_ARG = 'd=$1; shift; printf %s "$d" | base64 -d | "$@"';
const FROM_FILE = 'f=$1; shift; "$@" <"$f"; rc=$?; rm -f -- "$f"; exit $rc';
const MAX_INLINE = 96 * 1024;

/**
 * `docker exec` for one container. Standard input (`opts.input`, e.g. an iptables-restore script) is
 * handed over in argv (base64) or, when large, as a file copied into the container, because docker exec
 * through testcontainers has no stdin. LC_ALL=C as in execaRunner. A program that cannot be started
 * yields exit code 127 with the reason on stderr, as a shell would.
 */
export const containerRunner =
  (container: StartedTestContainer): Runner =>
  async (file, args, opts = {}): Promise<RunResult> => {
    const env = { LC_ALL: "C" };
    try {
      if (opts.input === undefined) {
        const r = await container.exec([file, ...args], { env });
        return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
      }
      const b64 = Buffer.from(opts.input, "utf8").toString("base64");
      if (b64.length <= MAX_INLINE) {
        const r = await container.exec(["sh", "-c", FROM_ARG, "sh", b64, file, ...args], { env });
        return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
      }
      const path = `/tmp/calisim-stdin-${randomBytes(6).toString("hex")}`;
      await container.copyContentToContainer([{ content: opts.input, target: path, mode: 0o600 }]);
      const r = await container.exec(["sh", "-c", FROM_FILE, "sh", path, file, ...args], { env });
      return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      return { exitCode: 127, stdout: "", stderr: `${file}: ${e instanceof Error ? e.message : String(e)}` };
    }
  };
