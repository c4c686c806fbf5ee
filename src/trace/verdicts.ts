// traceVerdicts(): for each packet exactly trace()'s verdict ("accept" | "drop"), without the path and the
// explanation, for batch work (what-if analysis, benchmarks). The ruleset is compiled once into JavaScript
// (verdict-code.ts) and each packet takes walk.ts's route through the hooks and tables over that code.
//
// Exactness: the generated code has no loop guards, so it is only used when trace()'s guards provably never
// fire (walk-bounds.ts: an acyclic chain graph whose worst-case walk fits the budget); otherwise packets are
// traced with trace()'s own walker.

import type { Ruleset, TableName } from "../rules/ir.js";
import { addrKey, isLoopback, parseAddr, type Addr } from "./addr.js";
import { compileRuleset, type CompiledRuleset } from "./compile.js";
import type { Walker } from "./hook-walk.js";
import { CT_BIT, type WalkState } from "./state.js";
import type { HookName, Packet, TraceOptions } from "./types.js";
import { verdictProgram, type HookProgram, type VerdictProgram } from "./verdict-code.js";
import { createMemo, ifaceId, runMemoised, type Memo } from "./verdict-memo.js";
import { addrWords, PORT_PROTOS, retarget, type VerdictState } from "./verdict-state.js";
import { walkPacket } from "./walk.js";
import { withinTraceGuards } from "./walk-bounds.js";

type Verdict = "accept" | "drop";

/** The hook programs a packet can meet, looked up once per ruleset. */
interface Plan {
  readonly memo: Memo;
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

const planOf = (p: VerdictProgram, version: 4 | 6): Plan => {
  const at = (table: TableName, hook: HookName): HookProgram | undefined => p.hooks.get(table)?.get(hook);
  return {
    memo: createMemo(version),
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
    p = withinTraceGuards(c) ? planOf(verdictProgram(c), c.version) : null;
    planCache.set(c, p);
  }
  return p ?? undefined;
};

/** Did the table's hook drop the packet? A missing hook lets it through, as walkHook does. */
const drops = (memo: Memo, h: HookProgram | undefined, s: VerdictState): boolean => {
  if (h === undefined) return false;
  const r = h.key === undefined ? h.run(s) : runMemoised(memo, h.key, h.run, s);
  return r === 2 || (r === 0 && h.policy === "drop");
};

const CT_OF_STATE = {
  new: CT_BIT.NEW,
  established: CT_BIT.ESTABLISHED,
  related: CT_BIT.RELATED,
  invalid: CT_BIT.INVALID,
};

/** nf_conntrack_in (walk.ts conntrack), unless raw attached the untracked template. */
const conntrack = (s: VerdictState, p: Packet): void => {
  if (s.ct !== CT_BIT.UNTRACKED) s.ct = CT_OF_STATE[p.state];
};

/** walk.ts dnat(): the nat hook for a flow's first packet, then the packet's own `dnatTo`. */
const dnat = (
  plan: Plan,
  nat: HookProgram | undefined,
  s: VerdictState,
  p: Packet,
  to: Parsed | undefined,
): boolean => {
  if ((s.ct & CT_BIT.NEW) !== 0 && drops(plan.memo, nat, s)) return true;
  if (to !== undefined && (s.ct & (CT_BIT.UNTRACKED | CT_BIT.INVALID)) === 0)
    retarget(s, to.a, p.dnatTo!.port ?? -1);
  return false;
};

/** Where the kernel passes a device (walk.ts devices()), with the devices' memo ids. */
const devices = (s: VerdictState, i: string, ii: number, o: string, oi: number): void => {
  s.i = i;
  s.ii = ii;
  s.o = o;
  s.oi = oi;
};

/** walk.ts walkPacket over the generated code; `s` holds the packet. */
const walkVerdict = (plan: Plan, s: VerdictState, p: Packet, to: Parsed | undefined): Verdict => {
  const memo = plan.memo;
  const inId = p.in === undefined ? 0 : ifaceId(memo, p.in);
  const outId = p.out === undefined ? 0 : ifaceId(memo, p.out);
  // Before nf_conntrack_in the skb has no ct: xt_conntrack reports INVALID.
  s.ct = CT_BIT.INVALID;
  if (p.in !== undefined) {
    devices(s, p.in, inId, "", 0);
    if (drops(memo, plan.rawPre, s)) return "drop";
    conntrack(s, p);
    if (drops(memo, plan.manglePre, s)) return "drop";
    if (dnat(plan, plan.natPre, s, p, to)) return "drop";
    if (p.out === undefined) {
      devices(s, p.in, inId, "", 0);
      return drops(memo, plan.mangleIn, s) || drops(memo, plan.filterIn, s) ? "drop" : "accept";
    }
    devices(s, p.in, inId, p.out, outId);
    if (drops(memo, plan.mangleFwd, s) || drops(memo, plan.filterFwd, s)) return "drop";
  } else {
    const out = p.out ?? "";
    devices(s, "", 0, out, outId);
    if (drops(memo, plan.rawOut, s)) return "drop";
    conntrack(s, p);
    if (drops(memo, plan.mangleOut, s)) return "drop";
    if (dnat(plan, plan.natOut, s, p, to)) return "drop";
    devices(s, "", 0, out, outId);
    if (drops(memo, plan.filterOut, s)) return "drop";
  }
  // POSTROUTING: mangle, then nat (SNAT; again only for a flow's first packet).
  devices(s, "", 0, p.out ?? "", outId);
  if (drops(memo, plan.manglePost, s)) return "drop";
  return (s.ct & CT_BIT.NEW) !== 0 && drops(memo, plan.natPost, s) ? "drop" : "accept";
};

const validPort = (p: number | undefined): boolean =>
  p === undefined || (Number.isInteger(p) && p >= 0 && p <= 65535);

interface Parsed {
  readonly a: Addr;
  /** The IPv4 address as a uint32 (0 for IPv6). */
  readonly n: number;
  readonly words: readonly number[];
}

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
  let local: Set<string> | undefined;
  if (opts.localAddresses !== undefined) {
    local = new Set();
    for (const a of opts.localAddresses) {
      const p = parseAddr(a);
      if (p !== undefined) local.add(addrKey(p));
    }
  }
  // Packets of a batch repeat their addresses: parse each text once.
  const addrs = new Map<string, Parsed | null>();
  const addr = (text: string): Parsed | undefined => {
    let a = addrs.get(text);
    if (a === undefined) {
      const p = parseAddr(text);
      a = p === undefined ? null : { a: p, n: p.v === 4 ? Number(p.n) : 0, words: addrWords(p) };
      addrs.set(text, a);
    }
    return a ?? undefined;
  };
  let delivered = false;
  let generated = false;
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
    sw: [0, 0, 0, 0],
    dw: [0, 0, 0, 0],
    p: 0,
    sp: -1,
    dp: -1,
    ih: false,
    it: undefined,
    ic: undefined,
    i: "",
    o: "",
    ii: 0,
    oi: 0,
    m: 0,
    ct: CT_BIT.INVALID,
    isLocal,
  };

  const one = (p: Packet): Verdict => {
    // trace.ts checkPacket: an invalid packet is dropped.
    if (p.in === undefined && p.out === undefined) return "drop";
    const src = addr(p.src);
    const dst = addr(p.dst);
    if (src === undefined || dst === undefined || src.a.v !== dst.a.v) return "drop";
    if (!Number.isInteger(p.proto) || p.proto < 0 || p.proto > 255) return "drop";
    if (!validPort(p.sport) || !validPort(p.dport) || !validPort(p.dnatTo?.port)) return "drop";
    const to = p.dnatTo === undefined ? undefined : addr(p.dnatTo.ip);
    if (p.dnatTo !== undefined && to?.a.v !== src.a.v) return "drop";
    const k = compiled.findIndex((r) => r.version === src.a.v);
    // No ruleset of the packet's family: the kernel chain policies (ACCEPT) decide.
    if (k < 0) return "accept";
    const c = compiled[k]!;
    delivered = p.out === undefined;
    generated = p.in === undefined;
    const plan = plans[k];
    if (plan === undefined) return slowVerdict(c, p, src.a, dst.a, isLocal);
    const ports = PORT_PROTOS.has(p.proto);
    s.s = src.n;
    s.d = dst.n;
    s.s6 = src.a.v === 6 ? src.a.n : 0n;
    s.d6 = dst.a.v === 6 ? dst.a.n : 0n;
    s.srcA = src.a;
    s.dstA = dst.a;
    s.sw = src.words;
    s.dw = dst.words;
    s.p = p.proto;
    s.sp = ports && p.sport !== undefined ? p.sport : -1;
    s.dp = ports && p.dport !== undefined ? p.dport : -1;
    s.ih = p.proto === (c.version === 4 ? 1 : 58) && p.icmpType !== undefined;
    s.it = p.icmpType;
    s.ic = p.icmpCode;
    s.m = (p.mark ?? 0) | 0;
    return walkVerdict(plan, s, p, to);
  };
  return packets.map(one);
};

/** trace()'s own walker, for rulesets the generated code cannot promise to walk exactly. */
const slowVerdict = (
  c: CompiledRuleset,
  p: Packet,
  src: Addr,
  dst: Addr,
  isLocal: WalkState["isLocal"],
): Verdict => {
  const w: Walker = {
    state: {
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
    },
    path: [],
    traversals: [],
    verbose: false,
    setters: new Array<number | undefined>(32),
    budget: 1_000_000,
  };
  return walkPacket(w, c, p);
};
