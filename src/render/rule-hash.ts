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
// The sequence whose text head is in the scratch space after the digest (bodyIdSequence writes it once).
let headOwner: object | undefined;

const prefixOf = (length: number): Buffer => (views[length] ??= scratch.subarray(0, length));

// base64url's alphabet, by character code.
const SEXTET = new Uint8Array(128);
for (const [i, c] of [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"].entries())
  SEXTET[c.charCodeAt(0)] = i;

/**
 * A digest's 28 bytes, decoded from its 38 base64url characters into the front of the scratch space. In
 * JavaScript: Buffer's write costs a quarter of a rule id in its call alone.
 */
const writePrevious = (digest: string): void => {
  const out = scratch;
  let o = 0;
  // 9 groups of 4 characters make 27 bytes; the last 2 characters make the 28th.
  for (let i = 0; i < 36; i += 4) {
    const n =
      (SEXTET[digest.charCodeAt(i)]! << 18) |
      (SEXTET[digest.charCodeAt(i + 1)]! << 12) |
      (SEXTET[digest.charCodeAt(i + 2)]! << 6) |
      SEXTET[digest.charCodeAt(i + 3)]!;
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  out[o] = (SEXTET[digest.charCodeAt(36)]! << 2) | (SEXTET[digest.charCodeAt(37)]! >>> 4);
};

const room = (bytes: number): void => {
  if (bytes > scratch.length) {
    scratch = Buffer.allocUnsafe(2 * bytes);
    views = [];
    headOwner = undefined;
  }
};

/**
 * A chain's id sequence: call the returned function with each rule's hashed text (`-A <chain> HASH …`),
 * in order, to get that rule's id. `seed` is the chain name (or `<chain>*appends*`). Sequences may be
 * interleaved: each keeps its own previous digest.
 */
export const ruleIdSequence = (seed: string): ((text: string) => string) => {
  let previous = hash("sha224", seed, "base64url");
  return (text: string): string => {
    // UTF-8 is at most 3 bytes per UTF-16 unit.
    room(DIGEST_BYTES + text.length * 3);
    headOwner = undefined;
    writePrevious(previous);
    const n = scratch.write(text, DIGEST_BYTES, "utf8");
    previous = hash("sha224", prefixOf(DIGEST_BYTES + n), "base64url");
    return previous.slice(0, 16);
  };
};

/**
 * ruleIdSequence for the iptables renderer's texts, given each rule's body: the hashed text is
 * `-A <seed> HASH <body>` (`-A <seed> HASH` for an empty body; felix/iptables/renderer.go). The head is
 * written into the scratch space once, not joined to every body. Gives each rule's whole digest, as base64url:
 * its id is the first 16 characters, and the digest is what the next rule's is chained from. With `after`, a
 * rule's digest, the sequence goes on from the rule after it: a chain whose first rules are another's (same
 * seed, same bodies) has their digests, and hashes only the rest.
 */
export const bodyDigestSequence = (seed: string, after?: string): ((body: string) => string) => {
  const token = {};
  const head = `-A ${seed} HASH `;
  const headBytes = Buffer.byteLength(head);
  let previous = after ?? hash("sha224", seed, "base64url");
  return (body: string): string => {
    room(DIGEST_BYTES + headBytes + body.length * 3);
    if (headOwner !== token) {
      scratch.write(head, DIGEST_BYTES, "utf8");
      headOwner = token;
    }
    writePrevious(previous);
    // Without a body the head's trailing space is not hashed.
    const n = body === "" ? -1 : scratch.write(body, DIGEST_BYTES + headBytes, "utf8");
    previous = hash("sha224", prefixOf(DIGEST_BYTES + headBytes + n), "base64url");
    return previous;
  };
};

/** bodyDigestSequence giving each rule's id. */
export const bodyIdSequence = (seed: string): ((body: string) => string) => {
  const next = bodyDigestSequence(seed);
  return (body) => next(body).slice(0, 16);
};

/** The ids of a chain's rules, as felixRuleHashes(seed, texts). */
export const ruleHashes = (seed: string, texts: readonly string[]): string[] =>
  texts.map(ruleIdSequence(seed));

/** A chain's id sequence over texts written piece by piece (pieceIdSequence). */
export interface PieceIdSequence {
  /** Starts the next rule's text. */
  start(): void;
  /** Appends a piece of the text (as a string, or as its UTF-8 bytes), after a space unless it is the first. */
  piece(text: Uint8Array | string): void;
  /** The id of the text written since `start`, which it chains into the next. */
  id(): string;
}

/**
 * ruleIdSequence for texts given as pieces joined by single spaces, each as a string or as its UTF-8 bytes:
 * for renderers that keep the bytes of the fragments rules share, so that no rule's text is made as a string
 * (joining and then flattening it was most of what hashing a gateway's nft rules allocated). The text is
 * written into the shared scratch space between `start` and `id`, so one text is written at a time, by any
 * sequence.
 */
export const pieceIdSequence = (seed: string): PieceIdSequence => {
  let previous = hash("sha224", seed, "base64url");
  let at = DIGEST_BYTES;
  return {
    start: () => {
      at = DIGEST_BYTES;
      headOwner = undefined;
    },
    piece: (text) => {
      // UTF-8 is at most 3 bytes per UTF-16 unit.
      const end = at + 1 + (typeof text === "string" ? 3 * text.length : text.length);
      if (end > scratch.length) {
        // Grown with what is written so far, unlike room(), which is for a text written whole.
        const grown = Buffer.allocUnsafe(2 * end);
        scratch.copy(grown, 0, 0, at);
        scratch = grown;
        views = [];
      }
      if (at > DIGEST_BYTES) scratch[at++] = 0x20;
      if (typeof text === "string") at += scratch.write(text, at, "utf8");
      else {
        scratch.set(text, at);
        at += text.length;
      }
    },
    id: () => {
      writePrevious(previous);
      previous = hash("sha224", prefixOf(at), "base64url");
      return previous.slice(0, 16);
    },
  };
};
