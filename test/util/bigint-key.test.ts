// foldedKey: distinct keys stay distinct, and the low 64 bits (all V8 hashes a BigInt key by) see every bit.

import test from "ava";
import fc from "fast-check";
import { foldedKey } from "../../src/util/bigint-key.js";

const LOW = (1n << 64n) - 1n;
/** The inverse of a right xorshift by 64 for values below 2^192. */
const unfold = (y: bigint): bigint => y ^ (y >> 64n) ^ (y >> 128n);

test("foldedKey is invertible: distinct keys stay distinct (property)", (t) => {
  const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
  fc.assert(fc.property(u128, (x) => unfold(foldedKey(x)) === x));
  for (const x of [0n, 1n, 0xc0000201n, (1n << 64n) - 1n, 1n << 64n, (1n << 128n) - 1n])
    t.is(unfold(foldedKey(x)), x);
});

test("foldedKey leaves keys below 2^64 (IPv4 addresses, ports) as they are", (t) => {
  for (const x of [0n, 80n, 0xc0000201n, (1n << 64n) - 1n]) t.is(foldedKey(x), x);
});

test("IPv6 addresses that differ only in their high 64 bits get distinct low 64 bits", (t) => {
  // 2001:db8:1:N::10, as generated endpoints are numbered: the same low 64 bits before folding.
  const addrs = Array.from({ length: 5000 }, (_, n) => (0x20010db80001n << 80n) | (BigInt(n) << 64n) | 0x10n);
  t.is(new Set(addrs.map((a) => a & LOW)).size, 1);
  t.is(new Set(addrs.map((a) => foldedKey(a) & LOW)).size, addrs.length);
});
