// Felix's chained rule ids (felix/generictables/rules.go RuleHashes), as util/hash.ts felixRuleHashes, but one
// id at a time and without a Hash object per rule: h0 = SHA-224(seed); h_i = SHA-224(h_{i-1} || text_i);
// id_i = base64url(h_i)[:16]. Every rendered rule needs one, so this is the renderers' hottest call.
//
// A digest is taken as a base64url string, not a Buffer: making a Buffer for each digest cost twice the
// hashing itself. The id is that string's first 16 characters, and h_{i-1}'s bytes are decoded from it into
// the scratch buffer in front of the next text.

import { hash } from "node:crypto";

const DIGEST_BYTES = 28;

// Scratch space for h_{i-1} || text_i, reused by every call (hashing is synchronous), and its views by
// length: a view costs as much to make as the write into it.
let scratch = Buffer.allocUnsafe(4096);
let views: Buffer[] = [];

const prefixOf = (length: number): Buffer => (views[length] ??= scratch.subarray(0, length));

/**
 * A chain's id sequence: call the returned function with each rule's hashed text (`-A <chain> HASH …`),
 * in order, to get that rule's id. `seed` is the chain name (or `<chain>*appends*`). Sequences may be
 * interleaved: each keeps its own previous digest.
 */
export const ruleIdSequence = (seed: string): ((text: string) => string) => {
  let previous = hash("sha224", seed, "base64url");
  return (text: string): string => {
    // UTF-8 is at most 3 bytes per UTF-16 unit.
    if (DIGEST_BYTES + text.length * 3 > scratch.length) {
      scratch = Buffer.allocUnsafe(2 * (DIGEST_BYTES + text.length * 3));
      views = [];
    }
    scratch.write(previous, 0, "base64url");
    const n = scratch.write(text, DIGEST_BYTES, "utf8");
    previous = hash("sha224", prefixOf(DIGEST_BYTES + n), "base64url");
    return previous.slice(0, 16);
  };
};

/** The ids of a chain's rules, as felixRuleHashes(seed, texts). */
export const ruleHashes = (seed: string, texts: readonly string[]): string[] =>
  texts.map(ruleIdSequence(seed));
