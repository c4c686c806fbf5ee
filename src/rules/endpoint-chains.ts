// Per-endpoint chains (felix/rules/endpoints.go endpointIptablesChain, template E0-E9 in our
// reference §1.4): conntrack, failsafe, mark clearing, tiers of policy (with policy groups),
// profiles and the final drop — each step present or not according to the chain's kind.

import type { TierGroup } from "../calc/policies.js";
import { canonicalSelector } from "../calc/selectors.js";
import type { Direction, Policy } from "../resources/model.js";
import type { Action, Chain, Origin, Rule } from "./ir.js";
import type { MarkBits } from "../calc/config.js";
import { action, match, rule } from "./build.js";
import { CHAIN, chainNameOfPolicy, policyGroupChainName, profileChainName, type PolicyRef } from "./names.js";

/** normal: filter th/fh and mangle th; forward: filter thfw/fhfw; preDnat: mangle fh; untracked: raw th/fh. */
export type EndpointChainKind = "normal" | "forward" | "preDnat" | "untracked";

export interface EndpointChainSpec {
  readonly name: string;
  readonly kind: EndpointChainKind;
  readonly direction: Direction;
  readonly endpoint: string;
  readonly iface: string;
  readonly tiers: readonly TierGroup[];
  readonly profiles: readonly string[];
  /** What "allowed" does in this chain: ACCEPT, or RETURN with the accept mark (mangle egress). */
  readonly allow: "ACCEPT" | "RETURN";
  readonly deny: Action;
  readonly marks: MarkBits;
  readonly disableConntrackInvalidCheck: boolean;
  readonly kindPrefix: boolean;
}

const ref = (p: Policy): PolicyRef => ({
  kind: p.kind,
  name: p.metadata.name,
  tier: p.spec.tier,
  ...(p.metadata.namespace === undefined ? {} : { namespace: p.metadata.namespace }),
});

// Per policy object: a number standing for it in cache keys, and its canonical selector. Policies are
// never modified (an edit is a new object), so both stay valid.
const numbers = new WeakMap<Policy, number>();
let nextNumber = 0;
const numberOf = (p: Policy): number => {
  let n = numbers.get(p);
  if (n === undefined) {
    n = nextNumber++;
    numbers.set(p, n);
  }
  return n;
};
const selectors = new WeakMap<Policy, string>();
const selectorOf = (p: Policy): string => {
  let s = selectors.get(p);
  if (s === undefined) {
    s = canonicalSelector(p.spec.selector);
    selectors.set(p, s);
  }
  return s;
};

/** A policy-group chain: one jump per policy, "Return on verdict" every 5 (endpoints.go:362-419). */
const groupChain = (
  name: string,
  dir: Direction,
  policies: readonly Policy[],
  s: EndpointChainSpec,
): Chain => {
  const verdict = s.marks.pass | s.marks.accept;
  const rules: Rule[] = [];
  policies.forEach((p, i) => {
    if (i !== 0 && i % 5 === 0)
      rules.push(rule([match.markNotClear(verdict)], action.return, { comments: ["Return on verdict"] }));
    rules.push(
      rule(
        i % 5 === 0 ? [] : [match.markClear(verdict)],
        action.jump(chainNameOfPolicy(dir, p, s.kindPrefix)),
      ),
    );
  });
  return { kind: "chain", name, rules };
};

// ---- shared across nodes ----------------------------------------------------------------------------
// Group chains carry no origins, so nodes whose endpoints share a group share its Chain object (and the
// renderers render it once). An endpoint chain's rules name the endpoint in their origins, so each node
// builds its own; but its text depends only on what textKey records, so renderers can reuse the text.

const groupChains = new Map<string, Chain>();

/** The group chain's name and chain, shared by every endpoint chain with this group of these policies. */
const sharedGroupChain = (
  selector: string,
  dir: Direction,
  policies: readonly Policy[],
  s: EndpointChainSpec,
): Chain => {
  // The policies (by identity) decide the name (it hashes their ids and selector) and the jump targets.
  const key = `${dir} ${s.kindPrefix} ${s.marks.pass | s.marks.accept} ${policies.map(numberOf).join(",")}`;
  let c = groupChains.get(key);
  if (c === undefined) {
    c = groupChain(policyGroupChainName(dir, selector, policies.map(ref)), dir, policies, s);
    if (groupChains.size > 100_000) groupChains.clear();
    groupChains.set(key, c);
  }
  return c;
};

const textKeys = new WeakMap<Chain, string>();

// The parts of a spec that are the same for every endpoint of a node (its config), as one string.
const contextKeys = new WeakMap<MarkBits, Map<string, string>>();
const contextKey = (s: EndpointChainSpec): string => {
  let byRest = contextKeys.get(s.marks);
  if (byRest === undefined) {
    byRest = new Map();
    contextKeys.set(s.marks, byRest);
  }
  const rest = `${s.deny.kind} ${s.disableConntrackInvalidCheck} ${s.kindPrefix}`;
  let key = byRest.get(rest);
  if (key === undefined) {
    key = JSON.stringify([s.marks, s.deny, rest]);
    byRest.set(rest, key);
  }
  return key;
};

/**
 * A string that equals another chain's exactly when the two chains' rules are the same apart from their
 * origins (so they render to the same text); undefined for chains not built here.
 */
export const textKeyOf = (chain: Chain): string | undefined => textKeys.get(chain);

/** Where a tier's rules are in an endpoint chain, the group chains it jumps to and its part of the text key. */
interface TierPart extends TierGroups {
  readonly group: TierGroup;
  readonly start: number;
  readonly end: number;
  readonly extra: readonly Chain[];
  readonly key: string;
}

// How each endpoint chain was built: what its tiers' rules depend on besides the tier (the chain's context,
// name, kind, direction, endpoint and interface; origins name the last two), and each tier's part.
const madeFrom = new WeakMap<Chain, { readonly spec: string; readonly tiers: readonly TierPart[] }>();

// Endpoint chains built from a previous one: which of its rules each rule is.
const takenOver = new WeakMap<Chain, TakenFrom>();

/** Where a rebuilt endpoint chain's rules come from: `index[i]` is rule i's index in `previous`, or -1. */
export interface TakenFrom {
  readonly previous: Chain;
  readonly index: Int32Array;
}

/**
 * For an endpoint chain built from a previous one (after an order edit), which of its rules are that
 * chain's rule objects, so that renderers can take over their text; undefined for other chains.
 */
export const takenFrom = (chain: Chain): TakenFrom | undefined => takenOver.get(chain);

const specKey = (s: EndpointChainSpec): string =>
  `${contextKey(s)}\0${s.name}\0${s.kind}\0${s.direction}\0${s.endpoint}\0${s.iface}`;

type EndpointRole = Extract<Origin, { kind: "endpoint" }>["role"];

/** The origin of an endpoint chain's rule. Spelled out, not spread from options: it runs for every rule. */
const originOf = (
  s: EndpointChainSpec,
  role: EndpointRole,
  tier?: string,
  policy?: string,
  profile?: string,
): Origin => {
  const o: { -readonly [K in keyof Extract<Origin, { kind: "endpoint" }>]: unknown } = {
    kind: "endpoint",
    endpoint: s.endpoint,
    interface: s.iface,
    role,
  };
  if (tier !== undefined) o.tier = tier;
  if (policy !== undefined) o.policy = policy;
  if (profile !== undefined) o.profile = profile;
  return o as Origin;
};

/** A policy group as a chain built it: its policies, the chain it jumps to, its part of the text key. */
interface GroupMade {
  readonly policies: readonly Policy[];
  readonly selector: string;
  readonly target: string;
  readonly key: string;
  /** The policy group chain, for groups of more than one policy. */
  readonly shared: Chain | undefined;
}

/** A tier's groups, and where each one's rules start, counted from the tier's first rule. */
interface TierGroups {
  readonly groups: readonly GroupMade[];
  readonly starts: readonly number[];
}

/** An earlier build of a tier: its chain's rules, and its groups with their index by first policy. */
interface EarlierTier extends TierGroups {
  readonly rules: readonly Rule[];
  /** Where the tier starts in `rules`. */
  readonly start: number;
  readonly byFirst: ReadonlyMap<Policy, number>;
}

/**
 * Whether `policies` from `i` on starts with group `g` and the group ends there: the same policies, and
 * the next one (if any) with another selector.
 */
const holdsGroup = (policies: readonly Policy[], i: number, g: GroupMade): boolean => {
  const n = g.policies.length;
  if (i + n > policies.length) return false;
  for (let k = 0; k < n; k++) if (policies[i + k] !== g.policies[k]) return false;
  return i + n === policies.length || selectorOf(policies[i + n]!) !== g.selector;
};

/**
 * E6 for one tier: appends its rules to `rules` and the group chains it jumps to to `extra`, and returns
 * its part of the text key and its groups. Adjacent policies with the same normalised selector share a
 * group (endpoint_mgr.go:1750-1774). A group an earlier build of the tier had (the same policies) takes
 * over its target, key and rules, and `from` notes which of the earlier chain's rules they are: a group's
 * rules depend only on its target (the policy's chain, or the group chain that names its policies). (Its
 * own function: V8 optimises small functions sooner, and endpointChain as one function took over 100 ms
 * to compile.)
 */
const tierRules = (
  s: EndpointChainSpec,
  tier: TierGroup,
  rules: Rule[],
  extra: Chain[],
  from: number[],
  earlier?: EarlierTier,
): TierGroups & { key: string } => {
  const { accept, pass } = s.marks;
  let key = `\0t\0${tier.tier}\0${tier.defaultAction}`;
  const groups: GroupMade[] = [];
  const starts: number[] = [];
  const start = rules.length;
  rules.push(
    rule([], action.clearMark(pass), {
      comments: [`Start of tier ${tier.tier}`],
      origin: originOf(s, "tier-start", tier.tier),
    }),
  );
  const all = tier.policies;
  for (let i = 0; i < all.length;) {
    const first = all[i]!;
    const k = earlier?.byFirst.get(first);
    const was = k === undefined ? undefined : earlier!.groups[k]!;
    if (was !== undefined && holdsGroup(all, i, was)) {
      if (was.shared !== undefined) extra.push(was.shared);
      key += was.key;
      groups.push(was);
      starts.push(rules.length - start);
      const oldAt = earlier!.start + earlier!.starts[k!]!;
      for (let r = oldAt; r < oldAt + (s.kind === "untracked" ? 3 : 2); r++) {
        from[rules.length] = r;
        rules.push(earlier!.rules[r]!);
      }
      i += was.policies.length;
      continue;
    }
    const selector = selectorOf(first);
    let j = i + 1;
    while (j < all.length && selectorOf(all[j]!) === selector) j++;
    const policies = all.slice(i, j);
    i = j;
    let target: string;
    let shared: Chain | undefined;
    let part: string;
    if (policies.length === 1) {
      target = chainNameOfPolicy(s.direction, first, s.kindPrefix);
      part = `\0${numberOf(first)}`;
    } else {
      shared = sharedGroupChain(selector, s.direction, policies, s);
      target = shared.name;
      extra.push(shared);
      part = `\0g${target}`;
    }
    key += part;
    groups.push({ policies, selector, target, key: part, shared });
    starts.push(rules.length - start);
    const names =
      policies.length === 1 ? first.metadata.name : policies.map((p) => p.metadata.name).join(",");
    rules.push(
      rule([match.markClear(pass)], action.jump(target), {
        origin: originOf(s, "policy-jump", tier.tier, names),
      }),
    );
    if (s.kind === "untracked")
      rules.push(
        rule([match.markSet(accept)], action.notrack, {
          origin: originOf(s, "notrack", tier.tier, names),
        }),
      );
    rules.push(
      rule([match.markSet(accept)], action.return, {
        comments: POLICY_RETURN_COMMENTS,
        origin: originOf(s, "policy-return", tier.tier, names),
      }),
    );
  }
  if ((s.kind === "normal" || s.kind === "forward") && tier.defaultAction !== "Pass")
    rules.push(
      rule([match.markClear(pass)], s.deny, {
        comments: [
          `End of tier ${tier.tier}. ${s.deny.kind === "reject" ? "Reject" : "Drop"} if no policies passed packet`,
        ],
        origin: originOf(s, "end-of-tier-drop", tier.tier),
      }),
    );
  return { key, groups, starts };
};

const POLICY_RETURN_COMMENTS: readonly string[] = ["Return if policy accepted"];

/** An earlier build of a tier, to take its unchanged groups over. */
const earlierTier = (rules: readonly Rule[], part: TierPart): EarlierTier => ({
  rules,
  start: part.start,
  groups: part.groups,
  starts: part.starts,
  byFirst: new Map(part.groups.map((g, k) => [g.policies[0]!, k])),
});

/**
 * E6: the tiers' rules, group chains and text key. A tier whose group object `previous` was built from too
 * has the same rules (and group chains, and key): they are taken over, so an order edit rebuilds only the
 * moved policy's tier.
 */
const tiersRules = (
  s: EndpointChainSpec,
  spec: string,
  previous: Chain | undefined,
  rules: Rule[],
  extra: Chain[],
  from: number[],
): { key: string; parts: TierPart[] } => {
  const before = previous === undefined ? undefined : madeFrom.get(previous);
  const reuse = before?.spec === spec ? before : undefined;
  const parts: TierPart[] = [];
  let key = "";
  for (const tier of s.tiers) {
    if (tier.policies.length === 0) continue;
    const start = rules.length;
    const extraStart = extra.length;
    const old = reuse?.tiers.find((t) => t.group === tier);
    let made: TierGroups & { key: string };
    if (old === undefined) {
      // The tier changed (the moved policy's): its groups that did not are taken over one by one.
      const was = reuse?.tiers.find((t) => t.group.tier === tier.tier);
      made = tierRules(s, tier, rules, extra, from, was && earlierTier(previous!.rules, was));
    } else {
      for (let i = old.start; i < old.end; i++) {
        from[rules.length] = i;
        rules.push(previous!.rules[i]!);
      }
      for (const c of old.extra) extra.push(c);
      made = old;
    }
    key += made.key;
    parts.push({
      group: tier,
      start,
      end: rules.length,
      extra: extra.slice(extraStart),
      key: made.key,
      groups: made.groups,
      starts: made.starts,
    });
  }
  return { key, parts };
};

/**
 * An endpoint chain and the policy group chains it jumps to. `previous`: an endpoint chain built here for
 * the same endpoint, interface and kind of chain (the one an order edit replaces), whose tiers' rules are
 * taken over where their tier group is the same object.
 */
export const endpointChain = (s: EndpointChainSpec, previous?: Chain): { chain: Chain; extra: Chain[] } => {
  const { accept, pass } = s.marks;
  const rules: Rule[] = [];
  const extra: Chain[] = [];

  // E2: conntrack, except in untracked chains.
  if (s.kind !== "untracked") {
    const ct = { origin: originOf(s, "conntrack") };
    if (s.allow !== "ACCEPT")
      rules.push(rule([match.ctState(["RELATED", "ESTABLISHED"])], action.setMark(accept), ct));
    rules.push(rule([match.ctState(["RELATED", "ESTABLISHED"])], action.of(s.allow), ct));
    if (!s.disableConntrackInvalidCheck) rules.push(rule([match.ctState(["INVALID"])], s.deny, ct));
  }
  // E3: failsafe, except in forward chains.
  if (s.kind !== "forward")
    rules.push(
      rule([], action.jump(s.direction === "ingress" ? CHAIN.failsafeIn : CHAIN.failsafeOut), {
        origin: originOf(s, "failsafe-jump"),
      }),
    );
  // E4.
  rules.push(rule([], action.clearMark(accept | pass), { origin: originOf(s, "clear-marks") }));

  // E6. The text key holds everything the rules' text depends on (not the endpoint or interface, which
  // only reach origins), joined with NUL, which no name can contain.
  const spec = specKey(s);
  // Which rule of `previous` each rule is (a sparse list; see takenFrom).
  const from: number[] = [];
  const tiers = tiersRules(s, spec, previous, rules, extra, from);

  // E7: forward chains with no tiers allow by default.
  if (s.kind === "forward" && s.tiers.every((t) => t.policies.length === 0)) {
    const origin = originOf(s, "forward-default-allow");
    rules.push(
      rule([], action.setMark(accept), { comments: ["Allow forwarded traffic by default"], origin }),
    );
    rules.push(rule([], action.return, { comments: ["Return for accepted forward traffic"], origin }));
  }

  // E8, E9: profiles, then drop; normal chains only.
  if (s.kind === "normal") {
    for (const p of s.profiles) {
      rules.push(
        rule([], action.jump(profileChainName(s.direction, p)), {
          origin: originOf(s, "profile-jump", undefined, undefined, p),
        }),
      );
      rules.push(
        rule([match.markSet(accept)], action.return, {
          comments: ["Return if profile accepted"],
          origin: originOf(s, "profile-return", undefined, undefined, p),
        }),
      );
    }
    rules.push(
      rule([], s.deny, {
        comments: [`${s.deny.kind === "reject" ? "Reject" : "Drop"} if no profiles matched`],
        origin: originOf(s, "no-profile-drop"),
      }),
    );
  }
  const chain: Chain = { kind: "chain", name: s.name, rules };
  madeFrom.set(chain, { spec, tiers: tiers.parts });
  if (from.length > 0) {
    const index = new Int32Array(rules.length).fill(-1);
    from.forEach((j, i) => (index[i] = j));
    takenOver.set(chain, { previous: previous!, index });
  }
  textKeys.set(
    chain,
    `${contextKey(s)}\0${s.name}\0${s.kind}\0${s.direction}\0${s.allow}\0${s.kind === "normal" ? s.profiles.join("\0p\0") : ""}${tiers.key}`,
  );
  return { chain, extra };
};
