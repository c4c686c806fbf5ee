// Conntrack and FIB matches as `nft -j list` prints them → IR ctState, addrType and rpfilterFailed
// (felix/nftables/match_builder.go:257-316 writes them).

import { obj, negation, read } from "./reader.js";
import type { Reader } from "./reader.js";
import { CT_STATES, CT_STATUSES, flagWords } from "./values.js";

/**
 * ct state / ct status. `in` (and `==` with one value) tests flags; `!=` with one value or an anonymous set, and
 * `!` (bits clear), mean "none of these". `==`/`!=` with a `|` list compare the whole word exactly, which the IR
 * cannot say. Felix's `ct status != dnat` is such an exact compare (reference §3 pitfall 7); it is read as the
 * IR's negated DNAT state, which is how Felix's rule builder means it.
 */
export const ct: Reader = (m) => {
  const key = (obj(m.left)?.["ct"] as { key: string } | undefined)?.key;
  const words = flagWords(m.right);
  const exactList = obj(m.right)?.["|"] !== undefined;
  const negated =
    m.op === "in" || (m.op === "==" && !exactList)
      ? false
      : m.op === "!" || (m.op === "!=" && !exactList)
        ? true
        : undefined;
  const table = key === "state" ? CT_STATES : key === "status" ? CT_STATUSES : undefined;
  if (words === undefined || negated === undefined || table === undefined) return undefined;
  const states = words.map((w) => table[w]);
  if (!states.every((s) => s !== undefined)) return undefined;
  return read([{ kind: "ctState", states, negated }]);
};

export const fib: Reader = (m) => {
  const f = obj(m.left)?.["fib"] as { result: string; flags: readonly string[] } | undefined;
  const negated = negation(m.op);
  if (f === undefined || negated === undefined) return undefined;
  // RPFCheckFailed: `fib saddr . mark . iif oif 0` (the 0 reads back as the string "0").
  const rpf = f.result === "oif" && f.flags.join(",") === "saddr,mark,iif";
  if (rpf && !negated && (m.right === 0 || m.right === "0")) return read([{ kind: "rpfilterFailed" }]);
  // DestAddrType / SrcAddrType: `fib daddr type local`.
  const [only, ...rest] = f.flags;
  if (
    f.result !== "type" ||
    rest.length > 0 ||
    m.right !== "local" ||
    (only !== "saddr" && only !== "daddr")
  ) {
    return undefined;
  }
  return read([{ kind: "addrType", dir: only === "saddr" ? "src" : "dst", type: "LOCAL", negated }]);
};
