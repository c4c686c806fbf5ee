// Rule ids from render/rule-hash.ts, checked against util/hash.ts felixRuleHashes and Felix's own vectors.

import test from "ava";
import { bodyIdSequence, pieceIdSequence, ruleHashes, ruleIdSequence } from "../../src/render/rule-hash.js";
import { felixRuleHashes } from "../../src/util/hash.js";

test("rule ids: felix/iptables/table_test.go vectors", (t) => {
  t.deepEqual(ruleHashes("cali-FORWARD", ["-A cali-FORWARD HASH --jump cali-foobar"]), ["WiiHgeRwfPX6Ol7d"]);
  t.deepEqual(
    ruleHashes("cali-foobar", ["-A cali-foobar HASH --jump ACCEPT", "-A cali-foobar HASH --jump DROP"]),
    ["42h7Q64_2XDzpwKe", "0sUFHicPNNqNyNx8"],
  );
});

test("rule ids: equal to node:crypto for every length around the block boundaries, and non-ASCII text", (t) => {
  const texts: string[] = [];
  for (let n = 0; n < 300; n++) texts.push("x".repeat(n));
  texts.push('-A c HASH -m comment --comment "é ü 日本 😀" --jump ACCEPT', "ü".repeat(70), "a".repeat(5000));
  let seed = 0;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let k = 0; k < 50; k++)
    texts.push(
      Array.from({ length: Math.floor(rnd() * 400) }, () =>
        String.fromCharCode(32 + Math.floor(rnd() * 95)),
      ).join(""),
    );
  for (const s of ["", "c", "x".repeat(55), "x".repeat(56), "x".repeat(64), "FORWARD*appends*", "ñ"])
    t.deepEqual(ruleHashes(s, texts), felixRuleHashes(s, texts), `seed ${JSON.stringify(s)}`);
});

test("rule ids: two sequences interleaved do not disturb each other", (t) => {
  const a = ruleIdSequence("a");
  const b = ruleIdSequence("b");
  const got = [a("1"), b("1"), a("x".repeat(2000)), b("2")];
  t.deepEqual(got, [
    ...felixRuleHashes("a", ["1"]),
    ...felixRuleHashes("b", ["1"]),
    ...felixRuleHashes("a", ["1", "x".repeat(2000)]).slice(1),
    ...felixRuleHashes("b", ["1", "2"]).slice(1),
  ]);
});

test("rule ids from bodies: `-A <seed> HASH <body>` hashed, the head written once per run of one sequence", (t) => {
  const bodies = ["", "--jump ACCEPT", '-m comment --comment "é 日本 😀" --jump DROP', "y".repeat(9000), ""];
  for (let n = 0; n < 130; n++) bodies.push("b".repeat(n));
  const hashed = (seed: string, body: string): string =>
    body === "" ? `-A ${seed} HASH` : `-A ${seed} HASH ${body}`;
  for (const seed of ["cali-fh-eth0", "ñ-chain", "FORWARD*appends*", "x".repeat(60)])
    t.deepEqual(
      bodies.map(bodyIdSequence(seed)),
      felixRuleHashes(
        seed,
        bodies.map((b) => hashed(seed, b)),
      ),
      seed,
    );
  // Interleaved with each other and with a text sequence, which overwrites the head in the scratch space;
  // a body longer than the scratch space replaces it.
  const a = bodyIdSequence("cali-a");
  const b = bodyIdSequence("cali-bb");
  const c = ruleIdSequence("cali-c");
  const got = [a("1"), b("1"), a("2"), c("-A cali-c HASH 1"), a(""), b("z".repeat(5000)), a("3")];
  t.deepEqual(got, [
    ...felixRuleHashes("cali-a", ["-A cali-a HASH 1"]),
    ...felixRuleHashes("cali-bb", ["-A cali-bb HASH 1"]),
    ...felixRuleHashes("cali-a", ["-A cali-a HASH 1", "-A cali-a HASH 2"]).slice(1),
    ...felixRuleHashes("cali-c", ["-A cali-c HASH 1"]),
    ...felixRuleHashes("cali-a", ["-A cali-a HASH 1", "-A cali-a HASH 2", "-A cali-a HASH"]).slice(2),
    ...felixRuleHashes("cali-bb", ["-A cali-bb HASH 1", `-A cali-bb HASH ${"z".repeat(5000)}`]).slice(1),
    ...felixRuleHashes("cali-a", [
      "-A cali-a HASH 1",
      "-A cali-a HASH 2",
      "-A cali-a HASH",
      "-A cali-a HASH 3",
    ]).slice(3),
  ]);
});

test("rule ids from pieces: the pieces joined by spaces are hashed, as strings or bytes, across growth and interleaving", (t) => {
  // Each text as pieces; some pieces given as their UTF-8 bytes. The fifth text's last piece is larger than
  // the scratch space has become anywhere in this process, so it grows with two pieces already written.
  const texts: (readonly (string | Uint8Array)[])[] = [
    ["continue"],
    ["ip saddr @cali40s-a", "counter", "accept"],
    [
      Buffer.from("meta l4proto tcp"),
      "tcp dport { 80, 443 }",
      Buffer.from("counter"),
      "jump filter-cali-pi-x",
    ],
    ["é 日本 😀", Buffer.from("ü".repeat(50))],
    ["p".repeat(3000), Buffer.from("q".repeat(3000)), "r".repeat(200_000)],
    [Buffer.from("s".repeat(9000))],
    ["a"],
  ];
  const joined = (pieces: readonly (string | Uint8Array)[]): string =>
    pieces.map((p) => (typeof p === "string" ? p : Buffer.from(p).toString("utf8"))).join(" ");
  const write = (
    ids: ReturnType<typeof pieceIdSequence>,
    pieces: readonly (string | Uint8Array)[],
  ): string => {
    ids.start();
    for (const p of pieces) ids.piece(p);
    return ids.id();
  };
  for (const seed of ["filter-cali-pi-x", "ñ-chain", "filter-INPUT*appends*"]) {
    const ids = pieceIdSequence(seed);
    t.deepEqual(
      texts.map((p) => write(ids, p)),
      felixRuleHashes(seed, texts.map(joined)),
      seed,
    );
  }
  // Interleaved with the other sequences, between texts (each writes the shared scratch space).
  const a = pieceIdSequence("a");
  const b = bodyIdSequence("cali-b");
  const c = ruleIdSequence("c");
  const got = [
    write(a, ["1", "2"]),
    b("--jump DROP"),
    write(a, texts[4]!),
    c("x".repeat(5000)),
    write(a, ["3"]),
  ];
  t.deepEqual(got, [
    ...felixRuleHashes("a", ["1 2"]),
    ...felixRuleHashes("cali-b", ["-A cali-b HASH --jump DROP"]),
    ...felixRuleHashes("a", ["1 2", joined(texts[4]!)]).slice(1),
    ...felixRuleHashes("c", ["x".repeat(5000)]),
    ...felixRuleHashes("a", ["1 2", joined(texts[4]!), "3"]).slice(2),
  ]);
});
