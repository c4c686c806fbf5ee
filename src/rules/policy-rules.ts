// One policy/profile rule → IR rules, as Felix's ProtoRuleToIptablesRules does (felix/rules/policy.go
// 146-722): filter CIDRs to the IP version, split OR-ed matches into mark-bit "match blocks", then
// the match plus Felix's action sequence (set mark + RETURN for allow/pass, set drop mark + DENY for
// deny, a lone LOG for log). Backend limits (15 multiport slots) are applied here because they
// change the rule *structure* Felix emits, not just its spelling.

import type { FelixRule } from "../calc/rule-convert.js";
import type { MarkBits } from "../calc/config.js";
import { ipSetName } from "../calc/ipset-ids.js";
import type { Action, IpVersion, Match, Origin, PortRange, Rule } from "./ir.js";
import { action, match, rule } from "./build.js";

export interface RuleContext {
  readonly version: IpVersion;
  readonly marks: MarkBits;
  readonly deny: Action;
  /** The LOG prefix with %t/%k/%n/%p already substituted. */
  readonly logPrefix: string;
  readonly origin: (ruleIndex: number) => Origin;
}

const isV6 = (cidr: string): boolean => cidr.includes(":");
const catchAll = (cidr: string, v: IpVersion): boolean =>
  (v === 4 && cidr === "0.0.0.0/0") || (v === 6 && cidr === "::/0");

/** filterNets: keep this version's CIDRs; `null` means the whole rule is dropped for this version. */
const filterNets = (nets: readonly string[], v: IpVersion, negated: boolean): string[] | null => {
  if (nets.length === 0) return [];
  const kept: string[] = [];
  for (let i = 0; i < nets.length; i++) {
    const n = nets[i]!;
    if (isV6(n) !== (v === 6)) continue;
    if (negated && catchAll(n, v)) return null;
    kept.push(n);
  }
  return kept.length === 0 ? null : kept;
};

/** iptables multiport takes 15 "slots"; a range takes two (SplitPortList). */
export const splitPortList = (ports: readonly PortRange[]): PortRange[][] => {
  const splits: PortRange[][] = [];
  let split: PortRange[] = [];
  let slots = 15;
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i]!;
    const need = p.from === p.to ? 1 : 2;
    if (slots < need) {
      splits.push(split);
      split = [];
      slots = 15;
    }
    split.push(p);
    slots -= need;
  }
  if (split.length > 0) splits.push(split);
  return splits;
};

// A set match's directions (the IR's match objects are shared and never modified).
const SRC = ["src"] as const;
const DST = ["dst"] as const;
const SRC2 = ["src", "src"] as const;
const DST2 = ["dst", "dst"] as const;

export const policyRuleToIr = (fr: FelixRule, index: number, ctx: RuleContext): Rule[] => {
  const v = ctx.version;
  if (fr.ipVersion !== undefined && fr.ipVersion !== v) return [];
  const srcNets = filterNets(fr.srcNets, v, false);
  const notSrcNets = filterNets(fr.notSrcNets, v, true);
  const dstNets = filterNets(fr.dstNets, v, false);
  const notDstNets = filterNets(fr.notDstNets, v, true);
  if (srcNets === null || notSrcNets === null || dstNets === null || notDstNets === null) return [];
  // ICMP matches only exist for their own family: Felix would not load an icmp rule into ip6tables.
  // (No `{ ...fr, srcNets, … }` copy: this runs for every rule on every node build, and spreads are slow.)
  const r = fr;
  const setName = (id: string): string => ipSetName(v, id);
  // Every rule made from this one carries its annotations and origin.
  const made = { comments: annotationComments(fr.annotations), origin: ctx.origin(index) };
  // The protocol match, which a port block repeats in each of its rules.
  const proto = r.protocol === undefined ? undefined : match.protocol(r.protocol.number, r.protocol.name);
  const { scratch0: allBlocks, scratch1: thisBlock } = ctx.marks;

  // Match blocks (policy.go matchBlockBuilder).
  const blocks: Rule[] = [];
  let usingBlocks = false;
  let donePositive = false;
  const initial = (bits: number): void => {
    if (usingBlocks) return;
    blocks.push(rule([], action.setMark(bits, allBlocks | thisBlock), made));
    usingBlocks = true;
  };
  const positiveMark = (): number => (donePositive ? thisBlock : allBlocks);
  const finishPositive = (): void => {
    if (!donePositive) {
      donePositive = true;
      return;
    }
    blocks.push(rule([match.markClear(thisBlock)], action.clearMark(allBlocks), made));
  };
  const portBlock = (splits: PortRange[][], named: readonly string[], dir: "src" | "dst"): void => {
    initial(0);
    const mark = positiveMark();
    for (let i = 0; i < splits.length; i++) {
      const ports = dir === "src" ? match.srcPorts(splits[i]!) : match.dstPorts(splits[i]!);
      blocks.push(rule(proto === undefined ? [ports] : [proto, ports], action.setMark(mark), made));
    }
    const dirs = dir === "src" ? SRC2 : DST2;
    for (let i = 0; i < named.length; i++)
      blocks.push(rule([match.set(setName(named[i]!), dirs)], action.setMark(mark), made));
    finishPositive();
  };
  const cidrBlock = (cidrs: readonly string[], dir: "src" | "dst"): void => {
    initial(0);
    const mark = positiveMark();
    for (let i = 0; i < cidrs.length; i++) {
      const c = cidrs[i]!;
      blocks.push(rule([dir === "src" ? match.srcNet(c) : match.dstNet(c)], action.setMark(mark), made));
    }
    finishPositive();
  };
  const negatedCidrBlock = (cidrs: readonly string[], dir: "src" | "dst"): void => {
    initial(allBlocks);
    for (let i = 0; i < cidrs.length; i++) {
      const c = cidrs[i]!;
      blocks.push(
        rule([dir === "src" ? match.srcNet(c) : match.dstNet(c)], action.clearMark(allBlocks), made),
      );
    }
  };

  let srcPorts: readonly PortRange[] = r.srcPorts;
  let srcNamed: readonly string[] = r.srcNamedPortSetIds;
  let dstPorts: readonly PortRange[] = r.dstPorts;
  let dstNamed: readonly string[] = r.dstNamedPortSetIds;
  let sNets: readonly string[] = srcNets;
  let dNets: readonly string[] = dstNets;
  let nsNets: readonly string[] = notSrcNets;
  let ndNets: readonly string[] = notDstNets;
  const srcSplits = splitPortList(srcPorts);
  if (srcSplits.length + srcNamed.length > 1) {
    portBlock(srcSplits, srcNamed, "src");
    srcPorts = [];
    srcNamed = [];
  }
  const dstSplits = splitPortList(dstPorts);
  if (dstSplits.length + dstNamed.length > 1) {
    portBlock(dstSplits, dstNamed, "dst");
    dstPorts = [];
    dstNamed = [];
  }
  if (sNets.length > 1) {
    cidrBlock(sNets, "src");
    sNets = [];
  }
  if (dNets.length > 1) {
    cidrBlock(dNets, "dst");
    dNets = [];
  }
  if (sNets.length + nsNets.length > 1) {
    negatedCidrBlock(nsNets, "src");
    nsNets = [];
  }
  if (dNets.length + ndNets.length > 1) {
    negatedCidrBlock(ndNets, "dst");
    ndNets = [];
  }

  // CalculateRuleMatch order: positive matches, then the negated ones in the same order. (Indexed loops
  // here and above, as in node-ruleset.ts: no iterator results while this runs unoptimised.)
  const m: Match[] = [];
  const sets = (ids: readonly string[], dirs: readonly ("src" | "dst")[], negated = false): void => {
    for (let i = 0; i < ids.length; i++) m.push(match.set(setName(ids[i]!), dirs, negated));
  };
  if (proto !== undefined) m.push(proto);
  if (sNets[0] !== undefined) m.push(match.srcNet(sNets[0]));
  sets(r.srcSetIds, SRC);
  if (srcPorts.length > 0) m.push(match.srcPorts(srcPorts));
  sets(srcNamed, SRC2);
  if (dNets[0] !== undefined) m.push(match.dstNet(dNets[0]));
  sets(r.dstSetIds, DST);
  if (dstPorts.length > 0) m.push(match.dstPorts(dstPorts));
  sets(dstNamed, DST2);
  if (r.icmp !== undefined) m.push(match.icmp(v, r.icmp.type, r.icmp.code));
  if (r.notProtocol !== undefined) m.push(match.protocol(r.notProtocol.number, r.notProtocol.name, true));
  if (nsNets[0] !== undefined) m.push(match.srcNet(nsNets[0], true));
  sets(r.notSrcSetIds, SRC, true);
  const notSrc = splitPortList(r.notSrcPorts);
  for (let i = 0; i < notSrc.length; i++) m.push(match.srcPorts(notSrc[i]!, true));
  sets(r.notSrcNamedPortSetIds, SRC2, true);
  if (ndNets[0] !== undefined) m.push(match.dstNet(ndNets[0], true));
  sets(r.notDstSetIds, DST, true);
  const notDst = splitPortList(r.notDstPorts);
  for (let i = 0; i < notDst.length; i++) m.push(match.dstPorts(notDst[i]!, true));
  sets(r.notDstNamedPortSetIds, DST2, true);
  if (r.notIcmp !== undefined) m.push(match.icmp(v, r.notIcmp.type, r.notIcmp.code, true));
  if (usingBlocks) m.push(match.markSet(allBlocks));

  // CombineMatchAndActionsForProtoRule: the match blocks, then the rule's own.
  const out: Rule[] = blocks;
  const { accept, pass, drop } = ctx.marks;
  switch (r.action) {
    case "log":
      out.push(rule(m, action.log(ctx.logPrefix), made));
      break;
    case "allow":
    case "pass": {
      const bit = r.action === "allow" ? accept : pass;
      out.push(rule(m, action.setMark(bit), made), rule([match.markSet(bit)], action.return, made));
      break;
    }
    case "deny":
      out.push(rule(m, action.setMark(drop), made), rule([match.markSet(drop)], ctx.deny, made));
      break;
  }
  return out;
};

const NO_COMMENTS: readonly string[] = [];

/** Annotations as `key=value` comments, sorted by key. */
const annotationComments = (annotations: Readonly<Record<string, string>>): readonly string[] => {
  const keys = Object.keys(annotations);
  if (keys.length === 0) return NO_COMMENTS;
  return keys.sort().map((k) => `${k}=${annotations[k]}`);
};

/** Felix's LOG prefix substitutions (%t tier, %k kind, %n name, %p namespace/name). */
export const expandLogPrefix = (
  template: string,
  id: { readonly kind: string; readonly name: string; readonly namespace?: string; readonly tier: string },
): string =>
  template.includes("%")
    ? template.replace(/%[tknp]/g, (s) =>
        s === "%t"
          ? id.tier
          : s === "%k"
            ? id.kind
            : s === "%n"
              ? id.name
              : id.namespace === undefined
                ? id.name
                : `${id.namespace}/${id.name}`,
      )
    : template;
