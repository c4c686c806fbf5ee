// The least a first render of a node can cost here: writing its output and nothing else. Given a node's
// rendered texts (iptables-restore for IPv4 and IPv6, ipset restore), `prepareFloor` takes them apart, off
// the clock, into what a renderer would have ready at best: each chain's rule bodies, its hash seed, and
// each set's members, all as strings. `writeFloor` then writes the same bytes again: Felix's chained rule
// ids (render/rule-hash.ts, the cheapest way found to make them) and the lines, as the renderer joins them.
// No policy is read, no set computed and no rule converted, so a render can only cost more than this.
//
// Run as a process of its own (`node write-floor.js DIR`, DIR holding v4.txt, v6.txt and ipsets.txt), so
// that its code is as cold as a render's first run; it prints `{"ms": …, "cpuMs": …, "sameBytes": true}`. The bench
// runs it on the gateway's rendering beside that rendering's cold time.

import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { bodyDigestSequence } from "../../src/render/rule-hash.js";

const ID_COMMENT = /^(-[AI]) (\S+) -m comment --comment "cali:([A-Za-z0-9_-]{16})"(?: (.*))?$/;

/** A run of rules of one chain, in the order they are hashed (an insert run is written in reverse). */
interface Run {
  readonly verb: "-A" | "-I";
  readonly chain: string;
  readonly seed: string;
  readonly bodies: readonly string[];
}

type Piece = string | Run;

interface IpSet {
  readonly header: string;
  readonly name: string;
  readonly members: readonly string[];
}

export interface FloorInput {
  readonly iptables: readonly (readonly Piece[])[];
  readonly ipsets: readonly IpSet[];
}

// The first id of a run, written out here rather than with bodyDigestSequence, which must stay cold.
const firstIdOf = (seed: string, body: string): string =>
  createHash("sha224")
    .update(createHash("sha224").update(seed).digest())
    .update(body === "" ? `-A ${seed} HASH` : `-A ${seed} HASH ${body}`)
    .digest("base64url")
    .slice(0, 16);

// Felix seeds a chain's hashes with its name, and rules appended to a chain it does not own with
// `<chain>*appends*` (felix/generictables); the first id tells which one a run used.
const seedOf = (chain: string, body: string, firstId: string): string => {
  for (const seed of [chain, `${chain}*appends*`]) if (firstIdOf(seed, body) === firstId) return seed;
  throw new Error(`write-floor: no known hash seed gives the id ${firstId} of the first rule of ${chain}`);
};

const prepareIptables = (text: string): Piece[] => {
  const pieces: Piece[] = [];
  const lines = text.split("\n");
  let i = 0;
  while (i < lines.length) {
    const m = ID_COMMENT.exec(lines[i]!);
    if (m === null) {
      pieces.push(lines[i++]!);
      continue;
    }
    const [, verb, chain] = m as unknown as [string, "-A" | "-I", string];
    const run: { bodies: string[]; ids: string[] } = { bodies: [], ids: [] };
    for (; i < lines.length; i++) {
      const r = ID_COMMENT.exec(lines[i]!);
      if (r === null || r[1] !== verb || r[2] !== chain) break;
      run.bodies.push(r[4] ?? "");
      run.ids.push(r[3]!);
    }
    // Inserted rules are written last first (each goes in at the top), and hashed first first.
    if (verb === "-I") {
      run.bodies.reverse();
      run.ids.reverse();
    }
    pieces.push({ verb, chain, seed: seedOf(chain, run.bodies[0]!, run.ids[0]!), bodies: run.bodies });
  }
  return pieces;
};

const prepareIpsets = (text: string): IpSet[] => {
  const sets: { header: string; name: string; members: string[] }[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("create ")) sets.push({ header: line, name: line.split(" ")[1]!, members: [] });
    else if (line.startsWith("add ")) sets.at(-1)!.members.push(line.slice(5 + sets.at(-1)!.name.length));
    else if (line !== "") throw new Error(`write-floor: unexpected ipset line ${JSON.stringify(line)}`);
  }
  return sets;
};

/** A rendering taken apart into what writing it needs (not timed). */
export const prepareFloor = (iptables: readonly string[], ipsets: string): FloorInput => ({
  iptables: iptables.map(prepareIptables),
  ipsets: prepareIpsets(ipsets),
});

const runText = (run: Run): string => {
  const next = bodyDigestSequence(run.seed);
  const head = `${run.verb} ${run.chain} -m comment --comment "cali:`;
  const n = run.bodies.length;
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const body = run.bodies[i]!;
    const id = next(body).slice(0, 16);
    parts[run.verb === "-I" ? n - 1 - i : i] = body === "" ? `${head}${id}"` : `${head}${id}" ${body}`;
  }
  return parts.join("\n");
};

/** The rendering written again from its prepared pieces: what is timed. */
export const writeFloor = (input: FloorInput): { iptables: string[]; ipsets: string } => ({
  iptables: input.iptables.map((pieces) =>
    pieces.map((p) => (typeof p === "string" ? p : runText(p))).join("\n"),
  ),
  ipsets: input.ipsets
    .map((s) => {
      const add = `add ${s.name} `;
      return s.members.length === 0 ? s.header : `${s.header}\n${add}${s.members.join(`\n${add}`)}`;
    })
    .join("\n")
    .concat(input.ipsets.length === 0 ? "" : "\n"),
});

const main = async (dir: string): Promise<void> => {
  const read = (f: string): Promise<string> => readFile(join(dir, f), "utf8");
  const [v4, v6, ipsets] = await Promise.all([read("v4.txt"), read("v6.txt"), read("ipsets.txt")]);
  const input = prepareFloor([v4, v6], ipsets);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const out = writeFloor(input);
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - started;
  const cpuMs = (used.user + used.system) / 1000;
  const sameBytes = out.iptables[0] === v4 && out.iptables[1] === v6 && out.ipsets === ipsets;
  process.stdout.write(`${JSON.stringify({ ms, cpuMs, sameBytes })}\n`);
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main(process.argv[2]!);
