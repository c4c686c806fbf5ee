// trace() and traceBatch(): check the packet, pick the ruleset of its address family, walk netfilter, explain.

import type { Ruleset } from "../rules/ir.js";
import { addrKey, isLoopback, parseAddr, type Addr } from "./addr.js";
import { compileRuleset, type CompiledRuleset } from "./compile.js";
import { explain } from "./explain.js";
import { checkpointIn, newWalker, type Checkpoint, type Note } from "./hook-walk.js";
import { CT_BIT, type WalkState } from "./state.js";
import type { Packet, Step, TraceOptions, TraceResult } from "./types.js";
import { walkPacket } from "./walk.js";
import { lowerBound } from "../util/sorted.js";
import { keptIn } from "../util/memo.js";

const invalid = (why: string): TraceResult => ({
  verdict: "drop",
  decidedBy: { kind: "invalid-packet", detail: why },
  warnings: [why],
  path: [],
  assumptions: [],
});

const validPort = (p: number | undefined): boolean =>
  p === undefined || (Number.isInteger(p) && p >= 0 && p <= 65535);

/** The packet's addresses, or why they cannot be used. */
const checkPacket = (p: Packet): { src: Addr; dst: Addr } | string => {
  if (p.in === undefined && p.out === undefined)
    return "the packet has neither `in` nor `out`: give `in` for a received packet, `out` for a locally generated one, or both for a forwarded one";
  const src = parseAddr(p.src);
  const dst = parseAddr(p.dst);
  if (src === undefined) return `source "${p.src}" is not an IP address`;
  if (dst === undefined) return `destination "${p.dst}" is not an IP address`;
  if (src.v !== dst.v) return `source ${p.src} and destination ${p.dst} are of different address families`;
  if (!Number.isInteger(p.proto) || p.proto < 0 || p.proto > 255) return `protocol ${p.proto} is not 0-255`;
  if (!validPort(p.sport) || !validPort(p.dport) || !validPort(p.dnatTo?.port))
    return "a port is not an integer 0-65535";
  if (p.dnatTo !== undefined && parseAddr(p.dnatTo.ip)?.v !== src.v)
    return `dnatTo ${p.dnatTo.ip} is not an IPv${src.v} address`;
  return { src, dst };
};

interface Prepared {
  readonly compiled: readonly CompiledRuleset[];
  readonly local: ReadonlySet<string> | undefined;
  readonly localWarnings: readonly string[];
}

const prepare = (rs: Ruleset | readonly Ruleset[], opts: TraceOptions): Prepared => {
  const list: readonly Ruleset[] = "kind" in rs ? [rs as Ruleset] : (rs as readonly Ruleset[]);
  const localWarnings: string[] = [];
  let local: Set<string> | undefined;
  if (opts.localAddresses !== undefined) {
    local = new Set();
    for (const a of opts.localAddresses) {
      const p = parseAddr(a);
      if (p === undefined) localWarnings.push(`local address "${a}" is not an IP address; ignored`);
      else local.add(addrKey(p));
    }
  }
  return { compiled: list.map(compileRuleset), local, localWarnings };
};

const endpointsOnPath = (path: readonly Step[]): Set<string> => {
  const eps = new Set<string>();
  for (const s of path)
    if (
      s.kind === "rule" &&
      (s.origin?.kind === "endpoint" || s.origin?.kind === "dispatch") &&
      s.origin.endpoint !== undefined
    )
      eps.add(s.origin.endpoint);
  return eps;
};

/** A verbose trace with the checkpoints other packets' walks can resume from (traceAlong). */
export interface Walk {
  readonly packet: Packet;
  readonly result: TraceResult;
  readonly checkpoints: readonly Checkpoint[];
  /** The compiled ruleset it went through (none for a packet refused before the walk). */
  readonly through?: CompiledRuleset;
}

/** A walk known to be shared, for its first `length` steps, by the packet about to be traced. */
export interface KnownWalk {
  readonly walk: Walk;
  readonly length: number;
}

/**
 * The latest checkpoint of the known walk at or before its `length`th step, when this packet can use one,
 * as a checkpoint of `c` (the known walk may have gone through another ruleset).
 */
const resumePoint = (
  packet: Packet,
  known: KnownWalk | undefined,
  c: CompiledRuleset,
): Checkpoint | undefined => {
  if (known === undefined) return undefined;
  const q = known.walk.packet;
  // The hooks a packet meets depend on which interfaces it has; a DNAT target changes its state mid-walk.
  if (
    (packet.in === undefined) !== (q.in === undefined) ||
    (packet.out === undefined) !== (q.out === undefined)
  )
    return undefined;
  if (packet.dnatTo !== undefined || q.dnatTo !== undefined) return undefined;
  const cps = known.walk.checkpoints;
  const after = lowerBound(cps, (cp) => cp.steps <= known.length);
  const cp = after === 0 ? undefined : cps[after - 1]!;
  return cp === undefined || known.walk.through === c ? cp : checkpointIn(cp, c);
};

interface WalkOptions {
  readonly verbose: boolean;
  readonly known?: KnownWalk;
  readonly checkpointEvery?: number;
}

const traceOne = (prep: Prepared, packet: Packet, verbose: boolean): TraceResult =>
  walkOne(prep, packet, { verbose }).result;

const walkOne = (prep: Prepared, packet: Packet, opts: WalkOptions): Walk => {
  const verbose = opts.verbose;
  const known = opts.known;
  const done = (result: TraceResult): Walk => ({ packet, result, checkpoints: [] });
  const addrs = checkPacket(packet);
  if (typeof addrs === "string") return done(invalid(addrs));
  const c = prep.compiled.find((r) => r.version === addrs.src.v);
  if (c === undefined)
    return done({
      ...invalid(`no IPv${addrs.src.v} ruleset was given for this IPv${addrs.src.v} packet`),
      verdict: "accept",
      decidedBy: {
        kind: "chain-policy",
        detail: `no IPv${addrs.src.v} ruleset was given, so no rules were traced; with none loaded the kernel chain policies (ACCEPT) decide`,
      },
    });

  const noted: Note[] = [];
  const delivered = packet.out === undefined;
  const generated = packet.in === undefined;
  const state: WalkState = {
    version: c.version,
    src: addrs.src,
    dst: addrs.dst,
    proto: packet.proto,
    sport: packet.sport,
    dport: packet.dport,
    icmpType: packet.icmpType,
    icmpCode: packet.icmpCode,
    inIface: "",
    outIface: "",
    hook: generated ? "OUTPUT" : "PREROUTING",
    table: "raw",
    mark: (packet.mark ?? 0) >>> 0,
    ctBits: CT_BIT.INVALID,
    isLocal: (a, dir) => {
      if (isLoopback(a)) return true;
      if (prep.local !== undefined) return prep.local.has(addrKey(a));
      noted.push([
        "assumption",
        `-m addrtype: no local addresses given; assumed the ${dir === "dst" ? "destination is local only for a packet delivered locally" : "source is local only for a locally generated packet"}`,
      ]);
      return dir === "dst" ? delivered : generated;
    },
    note: (kind, text) => void noted.push([kind, text]),
  };
  const from = resumePoint(packet, known, c);
  const w = newWalker(state, {
    verbose,
    noted,
    ...(known === undefined
      ? {}
      : {
          known: known.walk.result.path,
          knownLength: known.length,
          path: from === undefined ? [] : known.walk.result.path.slice(0, from.steps),
          resume: from,
        }),
    ...(opts.checkpointEvery === undefined ? {} : { checkpointEvery: opts.checkpointEvery }),
  });
  const verdict = walkPacket(w, c, packet);
  const decidedBy = explain({ packet, path: w.path, traversals: w.traversals }, verdict);
  const policed = w.traversals.some((t) => t.enteredEndpoint);
  const own = policed ? rulesetWarnings(c, w.path) : allRulesetWarnings(c);
  // The local-address warnings and the walk's own notes come first; usually there are none.
  let warnings = own;
  let assumptions: string[] = [];
  if (noted.length > 0 || prep.localWarnings.length > 0) {
    const all = new Set<string>(prep.localWarnings);
    const assumed = new Set<string>();
    for (const [kind, text] of noted) (kind === "warning" ? all : assumed).add(text);
    for (const text of own) all.add(text);
    warnings = [...all];
    assumptions = [...assumed];
  }
  return {
    packet,
    result: { verdict, decidedBy, warnings, path: w.path, assumptions },
    checkpoints: w.checkpoints,
    through: c,
  };
};

// The ruleset's own warnings that concern a packet: global ones, those of endpoints on its path, and all of
// them when no endpoint policed it (they may say why: e.g. policy a `*` endpoint cannot take). The last is
// the same list for every such packet, and a `*` endpoint before 3.14 has one warning per policy that
// selects it (hundreds on a gateway): it is made once per ruleset, not for every packet traced.
const allWarnings = new WeakMap<CompiledRuleset, readonly string[]>();

// Shared by the results of those packets: frozen, so that no caller can change another's.
const allRulesetWarnings = (c: CompiledRuleset): readonly string[] =>
  keptIn(allWarnings, c, (x) => Object.freeze([...new Set(x.source.warnings.map((rw) => rw.message))]));

const rulesetWarnings = (c: CompiledRuleset, path: readonly Step[]): string[] => {
  const out = new Set<string>();
  let eps: Set<string> | undefined;
  for (const rw of c.source.warnings)
    if (rw.endpoint === undefined || (eps ??= endpointsOnPath(path)).has(rw.endpoint)) out.add(rw.message);
  return [...out];
};

/**
 * Walks one packet through the ruleset (or, given rulesets for both families, the one of the packet's
 * family) in kernel order and explains the verdict.
 */
export const trace = (
  ruleset: Ruleset | readonly Ruleset[],
  packet: Packet,
  opts: TraceOptions = {},
): TraceResult => traceOne(prepare(ruleset, opts), packet, opts.verbose ?? false);

/**
 * A verbose trace() of a packet (`result`: the same as trace()'s), made for flow-space analysis, which
 * traces each part of a split box from its parent's walk. `known`, when given, is another packet's walk
 * through the same ruleset (as traceAlong made it) whose first `known.length` steps this packet is known
 * to walk too (every packet of the parent box walks them alike, up to the rule that split it). This walk
 * goes on from the last of the known walk's checkpoints at or before that step instead of walking them
 * again, takes the known steps after it over (each rule still evaluated, and one that goes another way
 * throws), and takes checkpoints of its own every `checkpointEvery` steps (0: none) for walks that go on
 * from it in turn. The known walk may have gone through another ruleset (the same node's rules in another
 * version) when the packet meets the same rules in both for those steps: its checkpoint is then taken in
 * this ruleset's chains of the same names. The one difference from trace(): a neutral rule (neutral.ts)
 * may go either way in the known steps. Before the checkpoint the known walk's steps are copied, so there
 * a neutral step's `matched` (and any note its matches made) is the known packet's; after it, each is
 * this packet's own.
 */
export const traceAlong = (
  ruleset: Ruleset,
  packet: Packet,
  known?: KnownWalk,
  checkpointEvery = CHECKPOINT_EVERY,
): Walk =>
  walkOne(prepare(ruleset, {}), packet, {
    verbose: true,
    ...(known === undefined ? {} : { known }),
    checkpointEvery,
  });

/** A checkpoint costs a copy of the mark setters and the return stack; a walk resumed re-walks fewer steps than this. */
const CHECKPOINT_EVERY = 48;

/** trace() for many packets, compiling the ruleset once; results are identical to trace()'s. */
export const traceBatch = (
  ruleset: Ruleset | readonly Ruleset[],
  packets: readonly Packet[],
  opts: TraceOptions = {},
): TraceResult[] => {
  const prep = prepare(ruleset, opts);
  return packets.map((p) => traceOne(prep, p, opts.verbose ?? false));
};
