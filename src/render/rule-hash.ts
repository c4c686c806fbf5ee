// Felix's chained rule ids (felix/generictables/rules.go RuleHashes), as util/hash.ts felixRuleHashes, but one
// id at a time and without a Hash object per rule: h0 = SHA-224(seed); h_i = SHA-224(h_{i-1} || text_i);
// id_i = base64url(h_i)[:16]. Every rendered rule needs one, so this is the renderers' hottest call.

import { hash } from "node:crypto";

// Scratch space for h_{i-1} || text_i, reused by every call (hashing is synchronous).
let scratch = Buffer.allocUnsafe(4096);

const sha224 = (data: string | Buffer): Buffer => hash("sha224", data, "buffer") as unknown as Buffer;

/**
 * A chain's id sequence: call the returned function with each rule's hashed text (`-A <chain> HASH …`),
 * in order, to get that rule's id. `seed` is the chain name (or `<chain>*appends*`).
 */
export const ruleIdSequence = (seed: string): ((text: string) => string) => {
  let h = sha224(seed);
  return (text: string): string => {
    // UTF-8 is at most 3 bytes per UTF-16 unit.
    if (28 + text.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(2 * (28 + text.length * 3));
    h.copy(scratch, 0);
    const n = scratch.write(text, 28, "utf8");
    h = sha224(scratch.subarray(0, 28 + n));
    return h.toString("base64url", 0, 12);
  };
};

/** The ids of a chain's rules, as felixRuleHashes(seed, texts). */
export const ruleHashes = (seed: string, texts: readonly string[]): string[] =>
  texts.map(ruleIdSequence(seed));
