// The IR builders make one object per value for the matches and actions that recur in thousands of rules
// (rules/build.ts), and renderers cache their text by object. Two builds of one value must give the same
// object; two different values must never share one (a key collision would render one rule as another).

import test from "ava";
import { action, match, renderedOnce } from "../../src/rules/build.js";
import type { Action, Match } from "../../src/rules/ir.js";

const p80 = [{ from: 80, to: 80 }];
const p8080 = [
  { from: 80, to: 80 },
  { from: 8080, to: 8081 },
];

// Each entry builds one value twice.
const values: readonly (readonly [string, () => Match | Action])[] = [
  ["protocol 6", () => match.protocol(6)],
  ["protocol 6 tcp", () => match.protocol(6, "tcp")],
  ["protocol 6 TCP", () => match.protocol(6, "TCP")],
  ["protocol ! 6", () => match.protocol(6, undefined, true)],
  ["protocol 17", () => match.protocol(17)],
  ["srcNet", () => match.srcNet("192.0.2.0/24")],
  ["dstNet", () => match.dstNet("192.0.2.0/24")],
  ["dstNet !", () => match.dstNet("192.0.2.0/24", true)],
  ["srcPorts 80", () => match.srcPorts(p80)],
  ["dstPorts 80", () => match.dstPorts(p80)],
  ["dstPorts ! 80", () => match.dstPorts(p80, true)],
  ["dstPorts 80,8080:8081", () => match.dstPorts(p8080)],
  ["dstPorts 80-8080", () => match.dstPorts([{ from: 80, to: 8080 }])],
  ["set src", () => match.set("cali40s:a", ["src"])],
  ["set dst", () => match.set("cali40s:a", ["dst"])],
  ["set ! dst", () => match.set("cali40s:a", ["dst"], true)],
  ["set dst,dst", () => match.set("cali40s:a", ["dst", "dst"])],
  ["set other", () => match.set("cali40s:b", ["dst"])],
  ["markSet 0x10", () => match.markSet(0x10)],
  ["markSet 0x10/0x30", () => match.markSet(0x10, 0x30)],
  ["markClear 0x10", () => match.markClear(0x10)],
  ["markNotClear 0x10", () => match.markNotClear(0x10)],
  ["markSet 0x80000000", () => match.markSet(0x80000000)],
  ["setMark 0x10", () => action.setMark(0x10)],
  ["setMark 0/0x10", () => action.setMark(0, 0x10)],
  ["clearMark 0x10", () => action.clearMark(0x10)],
  ["log", () => action.log("calico-packet")],
  ["log level 4", () => action.log("calico-packet", 4)],
];

test("IR builders: one object per value, and none shared by two values", (t) => {
  const built = values.map(([name, make]) => {
    const a = make();
    t.is(make(), a, `${name}: built twice, one object`);
    return [name, a] as const;
  });
  for (let i = 0; i < built.length; i++)
    for (let j = i + 1; j < built.length; j++) {
      const [n1, a] = built[i]!;
      const [n2, b] = built[j]!;
      t.not(a, b, `${n1} and ${n2}`);
      t.notDeepEqual(a, b, `${n1} and ${n2}`);
    }
});

test("IR builders: the values are what was asked for", (t) => {
  t.deepEqual(match.markClear(0x10), { kind: "mark", value: 0, mask: 0x10, negated: false });
  t.deepEqual(match.markNotClear(0x10), { kind: "mark", value: 0, mask: 0x10, negated: true });
  t.deepEqual(action.clearMark(0x10), { kind: "clearMark", mask: 0x10 });
  t.deepEqual(action.setMark(0, 0x10), { kind: "setMark", value: 0, mask: 0x10 });
  t.deepEqual(match.protocol(6), { kind: "protocol", protocol: 6, negated: false });
  t.deepEqual(match.protocol(6, "tcp"), { kind: "protocol", protocol: 6, name: "tcp", negated: false });
  t.deepEqual(match.dstPorts(p8080, true), { kind: "dstPorts", ports: p8080, negated: true });
  // Jumps are not shared (most targets are named once), but equal values are equal.
  t.deepEqual(action.jump("cali-pi-x"), action.jump("cali-pi-x"));
});

test("renderedOnce: a shared kind is rendered once per object, any other kind each time", (t) => {
  let calls = 0;
  const render = (v: Match | Action): string => `${v.kind}#${++calls}`;
  const cache = new WeakMap<Match | Action, string>();
  const mark = match.markSet(0x40);
  t.is(renderedOnce(cache, mark, render), renderedOnce(cache, match.markSet(0x40), render));
  t.is(calls, 1);
  const jump = action.jump("cali-pi-x");
  t.not(renderedOnce(cache, jump, render), renderedOnce(cache, jump, render));
  t.is(calls, 3);
  t.false(cache.has(jump));
});
