// Felix's hashes, byte-compatible with the Go code so rendered text and chain names match a real node.

import { createHash, hash } from "node:crypto";

/** Felix generictables.HashLength: 16 base64url characters (96 bits) per rule id. */
export const RULE_HASH_LENGTH = 16;

const sha224 = (...parts: readonly (string | Uint8Array)[]): Buffer => {
  const h = createHash("sha224");
  for (const p of parts) h.update(p);
  return h.digest();
};

/**
 * The `cali:<hash>` id of every rule in a chain (felix/generictables/rules.go RuleHashes):
 * h0 = SHA-224(chainName); h_i = SHA-224(h_{i-1} || text_i); id_i = base64url(h_i) without padding, cut to 16.
 *
 * `ruleTexts` are the rules rendered as appends with the literal token `HASH` in place of the hash comment,
 * e.g. `-A cali-INPUT HASH --jump ACCEPT` (felix/iptables/renderer.go RuleHashes). For rules appended to a
 * kernel chain Felix seeds with, and writes into the text, `<chain>*appends*` (felix/iptables/table.go).
 */
export const felixRuleHashes = (chainName: string, ruleTexts: readonly string[]): string[] => {
  let h = sha224(chainName);
  return ruleTexts.map((text) => {
    h = sha224(h, text);
    return h.toString("base64url").slice(0, RULE_HASH_LENGTH);
  });
};

/**
 * libcalico-go hash.GetLengthLimitedID: `prefix + suffix` if it fits in `maxLen`; otherwise (or when it is exactly
 * `maxLen` long and the suffix starts with "_", which could clash with a shortened id) `prefix + "_" +` the first
 * `maxLen - 1 - len(prefix)` characters of base64url(SHA-256(suffix)). An empty suffix counts as "_".
 */
export const lengthLimitedId = (prefix: string, suffix: string, maxLen: number): string => {
  const s = suffix === "" ? "_" : suffix;
  // Go's len() counts bytes.
  const prefixLen = Buffer.byteLength(prefix);
  const total = prefixLen + Buffer.byteLength(s);
  if (total < maxLen || (total === maxLen && !s.startsWith("_"))) return prefix + s;
  const room = maxLen - 1 - prefixLen;
  if (room <= 0) {
    throw new Error(
      `bug: lengthLimitedId maxLen ${maxLen} is too small for prefix ${JSON.stringify(prefix)}`,
    );
  }
  // One-shot: every policy chain name over 28 characters comes here (createHash costs several µs a call).
  return prefix + "_" + hash("sha256", s, "base64url").slice(0, room);
};
