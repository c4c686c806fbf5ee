// traceVerdicts(): for each packet exactly trace()'s verdict ("accept" | "drop"), without the path and the
// explanation, for batch work (what-if analysis, benchmarks). The ruleset is compiled once into JavaScript
// (verdict-code.ts) and each packet takes walk.ts's route through the hooks and tables over that code, the
// bigger hooks' walks memoised on the fields they read (verdict-memo.ts). Addresses and interface names are
// interned (verdict-intern.ts): a packet costs a Map lookup per text field, not a parse.
//
// Exactness: the generated code has no loop guards, so it is only used when trace()'s guards provably never
// fire (walk-bounds.ts: an acyclic chain graph whose worst-case walk fits the budget); otherwise packets are
// traced with trace()'s own walker.

import type { Ruleset, TableName } from "../rules/ir.js";
import { addrKey, isLoopback, parseAddr, type Addr } from "./addr.js";
import { compileRuleset, type CompiledRuleset } from "./compile.js";
import { newWalker } from "./hook-walk.js";
import { CT_BIT, type WalkState } from "./state.js";
import type { HookName, Packet, TraceOptions } from "./types.js";
import { verdictProgram, type HookProgram, type VerdictProgram } from "./verdict-code.js";
import { clearTable } from "./verdict-memo.js";
import {
  createInterner,
  entryOfAddr,
  entryOfText,
  ifaceId,
  makeRoom,
  type AddrEntry,
} from "./verdict-intern.js";
import { icmpKey, PORT_PROTOS, retargetEntry, type VerdictState } from "./verdict-state.js";
import { walkPacket } from "./walk.js";
import { withinTraceGuards } from "./walk-bounds.js";

type Verdict = "accept" | "drop";

/**
 * One interner for every program: packets are interned before their family (so their program) is known,
 * and ids persist across batches along with the memo tables keyed by them (see Plan.epoch).
 */
const interner = createInterner();
/** Numbers batches, for AddrEntry.listed. */
let batches = 0;

/** The hook programs a packet can meet, looked up once per ruleset. */
interface Plan {
  readonly program: VerdictProgram;
  /** The interner epoch the memo tables were filled in. */
  epoch: number;
  readonly rawPre?: HookProgram;
  readonly manglePre?: HookProgram;
  readonly natPre?: HookProgram;
  readonly mangleIn?: HookProgram;
  readonly filterIn?: HookProgram;
  readonly mangleFwd?: HookProgram;
  readonly filterFwd?: HookProgram;
  readonly rawOut?: HookProgram;
  readonly mangleOut?: HookProgram;
  readonly natOut?: HookProgram;
  readonly filterOut?: HookProgram;
  readonly manglePost?: HookProgram;
  readonly natPost?: HookProgram;
}

const planOf = (p: VerdictProgram): Plan => {
  const at = (table: TableName, hook: HookName): HookProgram | undefined => p.hooks.get(table)?.get(hook);
  return {
    program: p,
    epoch: interner.epoch,
    rawPre: at("raw", "PREROUTING"),
    manglePre: at("mangle", "PREROUTING"),
    natPre: at("nat", "PREROUTING"),
    mangleIn: at("mangle", "INPUT"),
    filterIn: at("filter", "INPUT"),
    mangleFwd: at("mangle", "FORWARD"),
    filterFwd: at("filter", "FORWARD"),
    rawOut: at("raw", "OUTPUT"),
    mangleOut: at("mangle", "OUTPUT"),
    natOut: at("nat", "OUTPUT"),
    filterOut: at("filter", "OUTPUT"),
    manglePost: at("mangle", "POSTROUTING"),
    natPost: at("nat", "POSTROUTING"),
  };
};

/** undefined: the ruleset is walked with trace()'s walker. */
const planCache = new WeakMap<CompiledRuleset, Plan | null>();
const planFor = (c: CompiledRuleset): Plan | undefined => {
  let p = planCache.get(c);
  if (p === undefined) {
    p = withinTraceGuards(c) ? planOf(verdictProgram(c)) : null;
    planCache.set(c, p);
  }
  return p ?? undefined;
};

/** Did the table's hook drop the packet? A missing hook lets it through, as walkHook does. */
const drops = (h: HookProgram | undefined, s: VerdictState): boolean => {
  if (h === undefined) return false;
  const r = h.run(s);
  return r === 2 || (r === 0 && h.policy === "drop");
};

const CT_OF_STATE = {
  new: CT_BIT.NEW,
  established: CT_BIT.ESTABLISHED,
  related: CT_BIT.RELATED,
  invalid: CT_BIT.INVALID,
};

/**
 * The packet as walkVerdict needs it beyond `s`: its devices and their ids, the conntrack state it will find
 * (CT_BIT) and its own DNAT. Read from the packet once: batches mix packet shapes, so each property read
 * of a packet is a slow polymorphic lookup.
 */
interface Route {
  in: string | undefined;
  out: string | undefined;
  inId: number;
  outId: number;
  ct: number;
  to: AddrEntry | undefined;
  toPort: number;
}

/** nf_conntrack_in (walk.ts conntrack), unless raw attached the untracked template. */
const conntrack = (s: VerdictState, r: Route): void => {
  if (s.ct !== CT_BIT.UNTRACKED) s.ct = r.ct;
};

/** walk.ts dnat(): the nat hook for a flow's first packet, then the packet's own `dnatTo`. */
const dnat = (nat: HookProgram | undefined, s: VerdictState, r: Route): boolean => {
  if ((s.ct & CT_BIT.NEW) !== 0 && drops(nat, s)) return true;
  if (r.to !== undefined && (s.ct & (CT_BIT.UNTRACKED | CT_BIT.INVALID)) === 0)
    retargetEntry(s, r.to, r.toPort);
  return false;
};

/** Where the kernel passes a device (walk.ts devices()), with the devices' ids. */
const devices = (s: VerdictState, i: string, ii: number, o: string, oi: number): void => {
  s.i = i;
  s.ii = ii;
  s.o = o;
  s.oi = oi;
};

/** walk.ts walkPacket over the generated code; `s` holds the packet. */
const walkVerdict = (plan: Plan, s: VerdictState, r: Route): Verdict => {
  const { in: i, out: o, inId, outId } = r;
  // Before nf_conntrack_in the skb has no ct: xt_conntrack reports INVALID.
  s.ct = CT_BIT.INVALID;
  if (i !== undefined) {
    devices(s, i, inId, "", 0);
    if (drops(plan.rawPre, s)) return "drop";
    conntrack(s, r);
    if (drops(plan.manglePre, s)) return "drop";
    if (dnat(plan.natPre, s, r)) return "drop";
    if (o === undefined) {
      devices(s, i, inId, "", 0);
      return drops(plan.mangleIn, s) || drops(plan.filterIn, s) ? "drop" : "accept";
    }
    devices(s, i, inId, o, outId);
    if (drops(plan.mangleFwd, s) || drops(plan.filterFwd, s)) return "drop";
  } else {
    const out = o ?? "";
    devices(s, "", 0, out, outId);
    if (drops(plan.rawOut, s)) return "drop";
    conntrack(s, r);
    if (drops(plan.mangleOut, s)) return "drop";
    if (dnat(plan.natOut, s, r)) return "drop";
    devices(s, "", 0, out, outId);
    if (drops(plan.filterOut, s)) return "drop";
  }
  // POSTROUTING: mangle, then nat (SNAT; again only for a flow's first packet).
  devices(s, "", 0, o ?? "", outId);
  if (drops(plan.manglePost, s)) return "drop";
  return (s.ct & CT_BIT.NEW) !== 0 && drops(plan.natPost, s) ? "drop" : "accept";
};

const validPort = (p: number | undefined): boolean =>
  p === undefined || (Number.isInteger(p) && p >= 0 && p <= 65535);

/**
 * trace()'s verdict for each packet — the same packet checks, family choice, hooks, tables and rules — without
 * paths or explanations. The ruleset is compiled once (its compiled form is shared with trace() and
 * traceBatch()), then into code (see above), so this is much faster than traceBatch().
 */
export const traceVerdicts = (
  ruleset: Ruleset | readonly Ruleset[],
  packets: readonly Packet[],
  opts: Pick<TraceOptions, "localAddresses"> = {},
): Verdict[] => {
  const list: readonly Ruleset[] = "kind" in ruleset ? [ruleset as Ruleset] : (ruleset as readonly Ruleset[]);
  const compiled = list.map(compileRuleset);
  const plans = compiled.map(planFor);
  const k4 = compiled.findIndex((r) => r.version === 4);
  const k6 = compiled.findIndex((r) => r.version === 6);
  let local: Set<string> | undefined;
  if (opts.localAddresses !== undefined) {
    local = new Set();
    for (const a of opts.localAddresses) {
      const p = parseAddr(a);
      if (p !== undefined) local.add(addrKey(p));
    }
  }
  const batch = ++batches;
  const listed = (e: AddrEntry): boolean => {
    if (e.batch !== batch) {
      e.batch = batch;
      e.listed = local!.has(e.key);
    }
    return e.listed;
  };
  let delivered = false;
  let generated = false;
  // trace()'s own answer, for slowVerdict.
  const isLocal = (a: Addr, dir: "src" | "dst"): boolean => {
    if (isLoopback(a)) return true;
    if (local !== undefined) return local.has(addrKey(a));
    return dir === "dst" ? delivered : generated;
  };
  const none: Addr = { v: 4, n: 0n };
  const s: VerdictState = {
    s: 0,
    d: 0,
    s6: 0n,
    d6: 0n,
    srcA: none,
    dstA: none,
    sid: 0,
    did: 0,
    ls: false,
    ld: false,
    p: 0,
    sp: -1,
    dp: -1,
    ih: false,
    it: undefined,
    ic: undefined,
    ik: 0,
    i: "",
    o: "",
    ii: 0,
    oi: 0,
    m: 0,
    ct: CT_BIT.INVALID,
    entryOf: (a) => entryOfAddr(interner, a),
    localDst: (e) => e.loopback || (local !== undefined ? listed(e) : delivered),
  };

  const r: Route = { in: undefined, out: undefined, inId: 0, outId: 0, ct: 0, to: undefined, toPort: -1 };

  const one = (p: Packet): Verdict => {
    const { in: i, out: o, proto, sport, dport, icmpType, icmpCode, dnatTo } = p;
    // trace.ts checkPacket: an invalid packet is dropped.
    if (i === undefined && o === undefined) return "drop";
    // Before interning: a packet's ids must come from one epoch.
    makeRoom(interner);
    const src = entryOfText(interner, p.src);
    const dst = entryOfText(interner, p.dst);
    if (src === undefined || dst === undefined || src.a.v !== dst.a.v) return "drop";
    if (!Number.isInteger(proto) || proto < 0 || proto > 255) return "drop";
    if (!validPort(sport) || !validPort(dport) || !validPort(dnatTo?.port)) return "drop";
    const to = dnatTo === undefined ? undefined : entryOfText(interner, dnatTo.ip);
    if (dnatTo !== undefined && to?.a.v !== src.a.v) return "drop";
    const v6 = src.a.v === 6;
    const k = v6 ? k6 : k4;
    // No ruleset of the packet's family: the kernel chain policies (ACCEPT) decide.
    if (k < 0) return "accept";
    delivered = o === undefined;
    generated = i === undefined;
    const plan = plans[k];
    if (plan === undefined) return slowVerdict(compiled[k]!, p, src.a, dst.a, isLocal);
    if (plan.epoch !== interner.epoch) {
      for (const t of plan.program.tables) clearTable(t);
      plan.epoch = interner.epoch;
    }
    s.s = src.n;
    s.d = dst.n;
    s.s6 = v6 ? src.a.n : 0n;
    s.d6 = v6 ? dst.a.n : 0n;
    s.srcA = src.a;
    s.dstA = dst.a;
    s.sid = src.id;
    s.did = dst.id;
    s.ls = src.loopback || (local !== undefined ? listed(src) : generated);
    s.ld = dst.loopback || (local !== undefined ? listed(dst) : delivered);
    const ports = PORT_PROTOS.has(proto);
    s.p = proto;
    s.sp = ports && sport !== undefined ? sport : -1;
    s.dp = ports && dport !== undefined ? dport : -1;
    s.ih = proto === (v6 ? 58 : 1) && icmpType !== undefined;
    s.it = icmpType;
    s.ic = icmpCode;
    s.ik = s.ih ? icmpKey(icmpType!, icmpCode) : 0;
    s.m = (p.mark ?? 0) | 0;
    r.in = i;
    r.out = o;
    r.inId = i === undefined ? 0 : ifaceId(interner, i);
    r.outId = o === undefined ? 0 : ifaceId(interner, o);
    r.ct = CT_OF_STATE[p.state];
    r.to = to;
    r.toPort = dnatTo?.port ?? -1;
    return walkVerdict(plan, s, r);
  };
  const out = new Array<Verdict>(packets.length);
  for (let i = 0; i < packets.length; i++) out[i] = one(packets[i]!);
  return out;
};

/** trace()'s own walker, for rulesets the generated code cannot promise to walk exactly. */
const slowVerdict = (
  c: CompiledRuleset,
  p: Packet,
  src: Addr,
  dst: Addr,
  isLocal: WalkState["isLocal"],
): Verdict => {
  const w = newWalker({
    version: c.version,
    src,
    dst,
    proto: p.proto,
    sport: p.sport,
    dport: p.dport,
    icmpType: p.icmpType,
    icmpCode: p.icmpCode,
    inIface: "",
    outIface: "",
    hook: p.in === undefined ? "OUTPUT" : "PREROUTING",
    table: "raw",
    mark: (p.mark ?? 0) >>> 0,
    ctBits: CT_BIT.INVALID,
    isLocal,
    note: () => {},
  });
  return walkPacket(w, c, p);
};
