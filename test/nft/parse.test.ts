// parseNftJson on hand-written listings in the form `nft -j list ruleset` prints (nft 1.0.6): layers and base
// chains back into tables and hooks, what nft rewrites on read-back, and what it cannot model (reported as
// `unknown` with a warning, never dropped).

import test from "ava";
import { ruleMeaning } from "../../src/dump/index.js";
import { ipsetNameOf, parseNftJson } from "../../src/dump/nft/index.js";
import type { NftDump } from "../../src/dump/nft/index.js";
import type { Rule } from "../../src/rules/ir.js";

const meta = { metainfo: { version: "1.0.6", release_name: "Lester Gooch #5", json_schema_version: 1 } };
const T = { family: "ip", table: "calico" };
const chain = (name: string, base?: Record<string, unknown>) => ({
  chain: { ...T, name, handle: 1, ...base },
});
const rule = (chainName: string, expr: unknown[], comment?: string) => ({
  rule: { ...T, chain: chainName, handle: 9, expr, ...(comment === undefined ? {} : { comment }) },
});
const counter = { counter: { packets: 3, bytes: 180 } };
const listing = (...objects: unknown[]): string =>
  JSON.stringify({ nftables: [meta, { table: { family: "ip", name: "calico", handle: 4 } }, ...objects] });

const parsed = (text: string, opts = {}): NftDump => {
  const r = parseNftJson(text, opts);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

const only = (d: NftDump, name: string): Rule => {
  const r = d.chains.find((c) => c.name === name)?.rules[0]?.rule;
  if (r === undefined) throw new Error(`no rule in ${name}`);
  return r;
};

test("layers and base chains map back to tables, hooks and policies", (t) => {
  const d = parsed(
    listing(
      chain("filter-INPUT", { type: "filter", hook: "input", prio: 0, policy: "drop" }),
      chain("filter-cali-INPUT"),
      chain("raw-cali-PREROUTING"),
      rule("filter-INPUT", [counter, { jump: { target: "filter-cali-INPUT" } }], "cali:H0S9z2pOh43UL0cc;"),
    ),
  );
  const filter = d.ruleset.tables.find((x) => x.name === "filter");
  t.deepEqual(
    filter?.chains.map((c) => c.name),
    ["cali-INPUT"],
  );
  t.is(filter?.hooks[0]?.name, "INPUT");
  t.is(filter?.hooks[0]?.policy, "DROP");
  t.deepEqual(filter?.hooks[0]?.inserted[0]?.action, { kind: "jump", target: "cali-INPUT" });
  t.deepEqual(
    d.ruleset.tables.find((x) => x.name === "raw")?.chains.map((c) => c.name),
    ["cali-PREROUTING"],
  );
  const r = d.chains.find((c) => c.name === "filter-INPUT")?.rules[0];
  t.is(r?.id, "H0S9z2pOh43UL0cc");
  t.deepEqual(r?.counters, [3, 180]);
  t.is(r?.handle, 9);
  t.deepEqual(d.warnings, []);
});

test("read-back rewrites are undone: dropped l4proto, collapsed sets, mark prefix, (mask, xor) marks, /32", (t) => {
  const d = parsed(
    listing(
      chain("filter-c"),
      rule("filter-c", [
        { match: { op: "==", left: { payload: { protocol: "ip", field: "saddr" } }, right: "192.0.2.1" } },
        { match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: 22 } },
        { match: { op: "!=", left: { meta: { key: "mark" } }, right: { prefix: { addr: 0, len: 12 } } } },
        counter,
        {
          mangle: {
            key: { meta: { key: "mark" } },
            value: { "|": [{ "&": [{ meta: { key: "mark" } }, 0xffefffff] }, 0x80000] },
          },
        },
      ]),
    ),
  );
  t.is(
    ruleMeaning(only(d, "filter-c")),
    ruleMeaning({
      kind: "rule",
      matches: [
        { kind: "protocol", protocol: 6, negated: false },
        { kind: "srcNet", cidr: "192.0.2.1/32", negated: false },
        { kind: "dstPorts", ports: [{ from: 22, to: 22 }], negated: false },
        { kind: "mark", value: 0, mask: 0xfff00000, negated: true },
      ],
      action: { kind: "setMark", value: 0x80000, mask: 0x180000 },
      comments: [],
    }),
  );
});

test("Felix's rule comment splits into id and comment text", (t) => {
  const d = parsed(
    listing(
      chain("filter-c"),
      rule("filter-c", [counter, { drop: null }], "cali:abcdefghijklmnop; Drop if no profiles matched"),
    ),
  );
  t.deepEqual(only(d, "filter-c").comments, ["Drop if no profiles matched"]);
  t.is(d.chains[0]?.rules[0]?.id, "abcdefghijklmnop");
});

test("unknown expressions become unknown matches or actions with a warning, never dropped", (t) => {
  const d = parsed(
    listing(
      { map: { ...T, name: "filter-cali-from-wl-dispatch", type: "ifname", handle: 2, map: "verdict" } },
      chain("filter-c"),
      rule("filter-c", [{ xt: { type: "match", name: "conntrack" } }, counter, { accept: null }]),
      rule("filter-c", [
        { vmap: { key: { meta: { key: "iifname" } }, data: "@filter-cali-from-wl-dispatch" } },
      ]),
      rule("filter-c", [
        { match: { op: "==", left: { meta: { key: "iifname" } }, right: { set: ["eth0", "eth1"] } } },
        { drop: null },
      ]),
    ),
    { assumeUnknown: false },
  );
  const rules = d.chains[0]?.rules.map((r) => r.rule) ?? [];
  t.deepEqual(rules[0]?.matches, [
    { kind: "unknown", text: '{"xt":{"type":"match","name":"conntrack"}}', assume: false },
  ]);
  t.is(rules[0]?.action.kind, "accept");
  t.is(rules[1]?.action.kind, "unknown");
  t.is(rules[2]?.matches[0]?.kind, "unknown");
  t.is(d.warnings.length, 4);
  t.true(d.warnings.some((w) => w.includes("map filter-cali-from-wl-dispatch")));
  t.is(d.ruleset.warnings.length, 4);
});

test("sets come back as IP sets with Felix's names; other types are reported", (t) => {
  const d = parsed(
    listing(
      {
        set: {
          ...T,
          name: "cali40s-ab-cd",
          type: "ipv4_addr",
          handle: 1,
          flags: ["interval"],
          elem: ["192.0.2.10", { prefix: { addr: "198.51.100.0", len: 24 } }],
        },
      },
      {
        set: {
          ...T,
          name: "cali40n-xyz",
          type: ["ipv4_addr", "inet_proto", "inet_service"],
          handle: 2,
          elem: [{ concat: ["192.0.2.1", "tcp", 80] }],
        },
      },
      { set: { ...T, name: "cali40ports", type: "inet_service", handle: 3, elem: [22] } },
    ),
  );
  t.deepEqual(
    d.sets.map((s) => [s.name, s.id, s.type, s.members]),
    [
      ["cali40s:ab-cd", "s:ab-cd", "hash:net", ["192.0.2.10", "198.51.100.0/24"]],
      ["cali40n:xyz", "n:xyz", "hash:ip,port", ["192.0.2.1,tcp:80"]],
    ],
  );
  t.deepEqual(d.warnings, ["set cali40ports has type inet_service, which is not modelled"]);
  t.is(ipsetNameOf("cali40this-host"), "cali40this-host");
  t.is(ipsetNameOf("cali60s--x"), "cali60s:-x");
});

test("other tables are skipped with a warning; ip6 is read when it is the only calico table", (t) => {
  const text = JSON.stringify({
    nftables: [
      meta,
      { table: { family: "ip", name: "filter", handle: 1 } },
      {
        chain: {
          family: "ip",
          table: "filter",
          name: "INPUT",
          handle: 1,
          type: "filter",
          hook: "input",
          prio: 0,
          policy: "accept",
        },
      },
      {
        rule: {
          family: "ip",
          table: "filter",
          chain: "INPUT",
          handle: 2,
          expr: [{ xt: { type: "target", name: "LOG" } }],
        },
      },
      { table: { family: "ip6", name: "calico", handle: 2 } },
    ],
  });
  const d = parsed(text);
  t.is(d.family, "ip6");
  t.is(d.version, 6);
  t.deepEqual(d.warnings, ["table ip filter ignored"]);
});

test("errors: not JSON, no calico table, rule of an unknown chain", (t) => {
  const notJson = parseNftJson("table ip calico {");
  t.false(notJson.ok);
  const none = parseNftJson(JSON.stringify({ nftables: [meta] }));
  t.deepEqual(none.ok ? [] : none.error.map((e) => e.message), ["no table ip/ip6 calico in the listing"]);
  const orphan = parseNftJson(listing(rule("filter-nowhere", [{ accept: null }])));
  t.false(orphan.ok);
});

test("a chain without a layer prefix is read as filter, with a warning", (t) => {
  const d = parsed(listing(chain("mychain")));
  t.is(d.chains[0]?.layer, "filter");
  t.deepEqual(d.warnings, ["chain mychain has no layer prefix; read as a filter chain"]);
});
