// Incremental re-rendering after one policy change equals the full rendering: the ruleset and model (for
// rules edits, moves, selector and tier changes, additions and removals), the chain changes it reports, and
// the iptables-restore --noflush delta — applied to the parsed old rendering here, and on top of the old
// rendering in a network namespace with the real tools (root only).

import test, { type ExecutionContext } from "ava";
import {
  diffRulesets,
  iptablesDelta,
  rerenderPolicyChange,
  type PolicyChange,
  type PolicyRerender,
} from "../../src/calc/incremental.js";
import { resolveNode, type NodeModel } from "../../src/calc/resolve.js";
import { parseIptablesSave, type Dump } from "../../src/dump/index.js";
import { generateClusterModel } from "../../src/gen/index.js";
import { createRng } from "../../src/gen/rng.js";
import { renderIpsets } from "../../src/render/ipset/index.js";
import { MAX_CHAIN_NAME_LENGTH, renderIptables } from "../../src/render/iptables/index.js";
import type { Policy, PolicyRule } from "../../src/resources/model.js";
import type { IpVersion, Ruleset } from "../../src/rules/ir.js";
import { chainNameOfPolicy, limitChainName } from "../../src/rules/names.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";
import { meanings } from "../helpers/kernel-compare.js";
import { inNetns, requireRoot, withNetns } from "../helpers/netns.js";

const { cluster, generated } = generateClusterModel({ seed: 21, nodes: 30, policies: 90, profiles: 6 });
const NODES = [generated.gatewayNodes[0]!, generated.nodeNames[5]!];

const extraRule = (k: number): PolicyRule => ({
  action: k % 3 === 0 ? "Deny" : "Allow",
  protocol: "TCP",
  source: {
    nets: [],
    notNets: [],
    ports: [],
    notPorts: [],
    selector: k % 2 === 0 ? `role == "db"` : `team == "team-00${k % 6}"`,
  },
  destination: {
    nets: [],
    notNets: [],
    ports: [{ kind: "range", from: 7000 + k, to: 7000 + k }],
    notPorts: [],
  },
  annotations: {},
});

/** One change of each kind, picked deterministically from the policies on (or off) the node. */
const changesFor = (model: NodeModel, k: number): PolicyChange[] => {
  const rng = createRng(`edits/${model.node}/${k}`);
  const on = [
    ...new Set(
      [...model.endpoints, ...(model.star === undefined ? [] : [model.star])].flatMap(
        (e) => e.policies.selectedBy,
      ),
    ),
  ];
  const off = cluster.policies.filter((p) => !on.includes(p));
  const p = rng.pick(on);
  const q = rng.pick(off);
  const spec = (x: Policy, s: Partial<Policy["spec"]>): Policy => ({ ...x, spec: { ...x.spec, ...s } });
  const { order: _, ...unordered } = p.spec;
  return [
    ...movesOf(model, p, k),
    { ...p, spec: unordered }, // no order: sorts last in its tier
    spec(p, { ingress: [...p.spec.ingress, extraRule(k)] }), // rules only (fast path)
    spec(p, { ingress: p.spec.ingress.slice(1), egress: [], types: p.spec.types }), // fewer rules
    spec(p, { selector: "all()" }), // selects every endpoint
    spec(p, { tier: p.spec.tier === "default" ? "app" : "default" }), // another tier
    spec(q, { selector: `kubernetes.io/hostname == "${model.node}"` }), // now selects this node
    spec(q, { ingress: [...q.spec.ingress, extraRule(k + 1)] }), // not on this node
    { remove: { kind: p.kind, name: p.metadata.name } },
    spec({ ...p, metadata: { ...p.metadata, name: `new-${k}` } }, { order: 1 }), // a new policy
  ];
};

/** A policy on the node that shares its tier and selector with another one (a policy group, if adjacent). */
const groupedOn = (model: NodeModel): Policy | undefined => {
  const on = onNode(model);
  return on.find((x) =>
    on.some((y) => y !== x && y.spec.tier === x.spec.tier && y.spec.selector === x.spec.selector),
  );
};

const onNode = (model: NodeModel): Policy[] => [
  ...new Set(
    [...model.endpoints, ...(model.star === undefined ? [] : [model.star])].flatMap(
      (e) => e.policies.selectedBy,
    ),
  ),
];

/** Edits of `p` (and of a grouped policy) that change its order, and nothing else that places it. */
const movesOf = (model: NodeModel, p: Policy, k: number): Policy[] => {
  const order = (x: Policy, o: number, s: Partial<Policy["spec"]> = {}): Policy => ({
    ...x,
    spec: { ...x.spec, ...s, order: o },
  });
  const g = groupedOn(model) ?? p;
  return [
    order(p, 0.5), // to the front of its tier
    order(p, 1e9), // to the back
    order(p, 0.5, { ingress: [...p.spec.ingress, extraRule(k + 2)] }), // moved and edited
    order(g, 0.25), // out of its policy group
  ];
};

const summary = (m: NodeModel): unknown => ({
  endpoints: m.endpoints,
  star: m.star,
  warnings: m.warnings,
  workloads: m.workloads,
});

for (const v of [4, 6] as const satisfies readonly IpVersion[]) {
  test(`IPv${v}: incremental re-render equals the full rendering, for every kind of change`, (t) => {
    let fast = 0;
    for (const node of NODES) {
      const model = resolveNode(cluster, { node });
      const prev = { model, ruleset: buildRuleset(model, { version: v }) };
      for (const change of changesFor(model, NODES.indexOf(node))) {
        const r = rerenderPolicyChange(prev, change);
        const fresh = resolveNode(r.cluster, { node });
        t.deepEqual(r.ruleset, buildRuleset(fresh, { version: v }));
        t.deepEqual(summary(r.model), summary(fresh));
        t.deepEqual(
          [...r.changes].sort((a, b) => `${a.table}/${a.chain}`.localeCompare(`${b.table}/${b.chain}`)),
          diffRulesets(prev.ruleset, r.ruleset).sort((a, b) =>
            `${a.table}/${a.chain}`.localeCompare(`${b.table}/${b.chain}`),
          ),
        );
        t.deepEqual(
          sorted(applyDelta(t, renderIptables(prev.ruleset), r.delta.iptables)),
          sorted(meaningsOf(t, renderIptables(r.ruleset))),
        );
        checkLegacyDelta(
          t,
          prev.ruleset,
          r,
          `${node}: ${"remove" in change ? "removal" : change.metadata.name}`,
        );
        if (r.fast) fast++;
      }
    }
    t.true(fast >= NODES.length, "rules edits take the fast path");
  });
}

test("order edits rebuild only the endpoint chains (and group chains) that jump to the policy", (t) => {
  let groupsChanged = 0;
  let moved = 0;
  for (const node of NODES) {
    const model = resolveNode(cluster, { node });
    const prev = { model, ruleset: buildRuleset(model, { version: 4 }) };
    t.truthy(groupedOn(model), `${node} has policies that share a selector`);
    for (const change of movesOf(model, onNode(model)[1]!, 0)) {
      const r = rerenderPolicyChange(prev, change);
      t.true(r.fast, `${change.metadata.name} → order ${change.spec.order}: not rebuilt in full`);
      if (r.changes.length > 0) moved++;
      const policyChains = new Set(
        (["ingress", "egress"] as const).map((d) =>
          chainNameOfPolicy(d, change, model.facts.policyChainKindPrefix),
        ),
      );
      for (const c of r.changes)
        t.true(
          /^cali-(th|fh|thfw|fhfw|gi|go)-/.test(c.chain) || policyChains.has(c.chain),
          `${c.table}/${c.chain} (${c.change}) is an endpoint, group or the policy's chain`,
        );
      if (r.changes.some((c) => c.change !== "changed")) groupsChanged++;
    }
  }
  // A policy already at the front or back of its tier (or of its group) does not move.
  t.true(moved >= 5, `${moved} of ${NODES.length * 4} order edits change chains`);
  t.true(groupsChanged > 0, "some move splits or joins a policy group");
});

test("order edits in a row, each on the last one's result, equal a full rebuild every time", (t) => {
  let shared = 0;
  let legacyLines = 0;
  let nftLines = 0;
  for (const node of NODES) {
    const model = resolveNode(cluster, { node });
    let prev = { model, ruleset: buildRuleset(model, { version: 4 }) };
    const policies = onNode(model);
    // Front, back and middle of the tier, for policies across the node's list (and so across tiers).
    for (let k = 0; k < 12; k++) {
      const p = policies[(k * 7) % policies.length]!;
      const current = prev.model.cluster.policies.find(
        (x) => x.kind === p.kind && x.metadata.name === p.metadata.name,
      )!;
      const order = [0.5, 1e9, 500.5][k % 3]!;
      const r = rerenderPolicyChange(prev, { ...current, spec: { ...current.spec, order } });
      const fresh = resolveNode(r.cluster, { node });
      const rebuilt = buildRuleset(fresh, { version: 4 });
      t.deepEqual(r.ruleset, rebuilt, `${node}, edit ${k}`);
      // The changes found among the rebuilt chains' names alone are those of a diff of every chain.
      t.deepEqual(r.changes, diffRulesets(prev.ruleset, rebuilt), `${node}, edit ${k}: changes`);
      // Every rule the delta writes, id included, is a line of the full rendering of a copy of the
      // rebuilt ruleset, which takes nothing over (the delta's bodies are taken over from the previous
      // chains' where their rules are).
      const full = new Set(renderIptables(structuredClone(rebuilt)).split("\n"));
      const written = r.delta.iptables.split("\n").filter((l) => l.startsWith("-A "));
      t.deepEqual(
        written.filter((l) => !full.has(l)),
        [],
        `${node}, edit ${k}`,
      );
      t.deepEqual(
        sorted(applyDelta(t, renderIptables(prev.ruleset), r.delta.iptables)),
        sorted(meaningsOf(t, renderIptables(r.ruleset))),
      );
      const lines = checkLegacyDelta(t, prev.ruleset, r, `${node}, edit ${k}`);
      legacyLines += lines.legacy;
      nftLines += lines.nft;
      // Tiers without the moved policy are taken over from the chains they replace, rule by rule.
      const before = new Set(prev.ruleset.tables.flatMap((x) => x.chains.flatMap((c) => c.rules)));
      for (const c of r.changes) {
        const chain = r.ruleset.tables
          .find((x) => x.name === c.table)
          ?.chains.find((x) => x.name === c.chain);
        if (/^cali-(th|fh)-/.test(c.chain)) shared += chain?.rules.filter((x) => before.has(x)).length ?? 0;
      }
      prev = { model: r.model, ruleset: r.ruleset };
    }
  }
  t.true(shared > 0, "rebuilt endpoint chains share the rules of their unchanged tiers");
  // Moves to the back or the middle of a tier leave the rules before them, and their ids, as they were.
  t.true(legacyLines < nftLines, `the iptables-legacy deltas write ${legacyLines} of ${nftLines} lines`);
});

/**
 * The iptables-legacy delta of `r` (Felix's per-rule update): applied to the old rendering it gives the new
 * one, and it flushes no changed chain. Returns how many rule lines it and the iptables-nft delta wrote (the
 * legacy one can write more: a chain that got shorter loses its surplus rules one `-D` at a time).
 */
const checkLegacyDelta = (
  t: ExecutionContext,
  prev: Ruleset,
  r: PolicyRerender,
  what: string,
): { legacy: number; nft: number } => {
  const delta = iptablesDelta(prev, r.ruleset, r.changes, { backend: "iptables-legacy" });
  t.deepEqual(
    sorted(applyDelta(t, renderIptables(prev), delta)),
    sorted(meaningsOf(t, renderIptables(r.ruleset))),
    what,
  );
  const changed = new Set(
    r.changes
      .filter((c) => c.change === "changed")
      .map((c) => limitChainName(c.chain, MAX_CHAIN_NAME_LENGTH)),
  );
  const declared = delta
    .split("\n")
    .filter((l) => l.startsWith(":") && changed.has(l.slice(1).split(" ")[0]!));
  t.deepEqual(declared, [], `${what}: no changed chain is flushed`);
  const ruleLines = (text: string): number => text.split("\n").filter((l) => /^-[ARD] /.test(l)).length;
  return { legacy: ruleLines(delta), nft: ruleLines(r.delta.iptables) };
};

const parse = (t: ExecutionContext, text: string): Dump => {
  const r = parseIptablesSave(text);
  if (!r.ok) {
    t.fail(JSON.stringify(r.error));
    throw new Error("does not parse");
  }
  return r.value;
};

const meaningsOf = (t: ExecutionContext, text: string): Map<string, string[]> => meanings(parse(t, text));

/** Chain → rule meanings, in chain-name order (deepEqual compares Maps in insertion order). */
const sorted = (m: Map<string, string[]>): Record<string, string[]> =>
  Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * What the kernel does with `iptables-restore --noflush`, done to the text of the old rendering: each
 * `:chain` line of the delta creates or flushes the chain, `-A` appends, `-R <chain> <n>` replaces its rule n
 * (which must differ: Felix leaves a rule whose id is unchanged alone), `-D <chain> <n>` deletes it, `-X`
 * deletes the chain; other chains and the kernel chains' hook rules are left alone. Returns the meanings of
 * the result.
 */
const applyDelta = (t: ExecutionContext, old: string, delta: string): Map<string, string[]> => {
  const tables = new Map<string, { decls: string[]; lines: string[] }>();
  let cur: { decls: string[]; lines: string[] } | undefined;
  for (const line of old.split("\n")) {
    if (line.startsWith("*")) {
      cur = { decls: [], lines: [] };
      tables.set(line.slice(1), cur);
    } else if (line.startsWith(":")) cur!.decls.push(line.slice(1).split(" ")[0]!);
    else if (line !== "COMMIT" && line !== "") cur!.lines.push(line);
  }
  const chainOf = (line: string): string => line.split(" ")[1]!;
  for (const line of delta.split("\n")) {
    if (line.startsWith("*")) {
      const name = line.slice(1);
      cur = tables.get(name) ?? { decls: [], lines: [] };
      tables.set(name, cur);
    } else if (line.startsWith(":")) {
      const chain = line.slice(1).split(" ")[0]!;
      if (!cur!.decls.includes(chain)) cur!.decls.push(chain);
      cur!.lines = cur!.lines.filter((l) => !(l.startsWith("-A ") && chainOf(l) === chain));
    } else if (line.startsWith("-A ")) cur!.lines.push(line);
    else if (line.startsWith("-R ") || line.startsWith("-D ")) {
      const [verb, chain, num] = line.split(" ") as [string, string, string];
      const at: number[] = [];
      cur!.lines.forEach((l, i) => {
        if (l.startsWith("-A ") && chainOf(l) === chain) at.push(i);
      });
      const n = Number(num);
      t.true(n >= 1 && n <= at.length, `${line.slice(0, 60)}: ${chain} has ${at.length} rules`);
      if (verb === "-D") cur!.lines.splice(at[n - 1]!, 1);
      else {
        const replaced = `-A ${chain}${line.slice(`-R ${chain} ${num}`.length)}`;
        t.not(cur!.lines[at[n - 1]!], replaced, `${line.slice(0, 60)}: the rule is unchanged`);
        cur!.lines[at[n - 1]!] = replaced;
      }
    } else if (line.startsWith("-X ")) {
      const chain = chainOf(line);
      t.false(
        cur!.lines.some((l) => l.startsWith("-A ") && chainOf(l) === chain),
        `${chain} is flushed before it is deleted`,
      );
      cur!.decls = cur!.decls.filter((c) => c !== chain);
    }
  }
  const text = [...tables]
    .flatMap(([name, x]) => [`*${name}`, ...x.decls.map((c) => `:${c} - -`), ...x.lines, "COMMIT"])
    .join("\n");
  return meaningsOf(t, `${text}\n`);
};

test("the delta on top of the old rendering in a namespace gives the new rendering (iptables-nft, and iptables-legacy with its per-rule delta)", async (t) => {
  if (
    !(await requireRoot(t, [
      "ipset",
      "iptables-nft-restore",
      "iptables-nft-save",
      "iptables-legacy-restore",
      "iptables-legacy-save",
    ]))
  )
    return;
  const node = NODES[0]!;
  const model = resolveNode(cluster, { node });
  const prev = { model, ruleset: buildRuleset(model, { version: 4 }) };
  const changes = changesFor(model, 0);
  for (const backend of ["nft", "legacy"] as const) {
    // Moves (one out of a policy group), a rules edit, a selector change, a removal.
    for (const change of [0, 3, 5, 7, 11].map((i) => changes[i]!)) {
      const r = rerenderPolicyChange(prev, change, {
        backend: backend === "legacy" ? "iptables-legacy" : "iptables-nft",
      });
      await withNetns(t, async (ns) => {
        const restore = `iptables-${backend}-restore`;
        const ipsets = (rs: Ruleset): string => renderIpsets(rs);
        if (ipsets(prev.ruleset) !== "") await inNetns(ns, "ipset", ["restore"], ipsets(prev.ruleset));
        await inNetns(ns, restore, [], renderIptables(prev.ruleset));
        if (r.delta.ipsetsBefore !== "") await inNetns(ns, "ipset", ["restore"], r.delta.ipsetsBefore);
        if (r.delta.iptables !== "") await inNetns(ns, restore, ["--noflush"], r.delta.iptables);
        if (r.delta.ipsetsAfter !== "") await inNetns(ns, "ipset", ["restore"], r.delta.ipsetsAfter);
        const saved = String((await inNetns(ns, `iptables-${backend}-save`)).stdout);
        const got = meaningsOf(t, saved);
        const want = meaningsOf(t, renderIptables(r.ruleset));
        for (const [chain, rules] of want) t.deepEqual(got.get(chain), rules, `${backend} ${chain}`);
        for (const [chain, rules] of got)
          if (!want.has(chain)) t.deepEqual(rules, [], `${backend}: ${chain} is not in the new rendering`);
        const sets = String((await inNetns(ns, "ipset", ["list", "-n"])).stdout)
          .split("\n")
          .filter((l) => l !== "")
          .sort();
        t.deepEqual(sets, r.ruleset.sets.map((s) => s.name).sort(), `${backend}: ipsets`);
      });
    }
  }
});
