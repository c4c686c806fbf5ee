// Felix's hash algorithms against Felix's own test vectors.

import test from "ava";
import { felixRuleHashes, lengthLimitedId } from "../../src/util/hash.js";

test("rule hashes: felix/iptables/table_test.go chain vectors", (t) => {
  t.deepEqual(felixRuleHashes("cali-FORWARD", ["-A cali-FORWARD HASH --jump cali-foobar"]), [
    "WiiHgeRwfPX6Ol7d",
  ]);
  t.deepEqual(
    felixRuleHashes("cali-foobar", ["-A cali-foobar HASH --jump ACCEPT", "-A cali-foobar HASH --jump DROP"]),
    ["42h7Q64_2XDzpwKe", "0sUFHicPNNqNyNx8"],
  );
  t.deepEqual(felixRuleHashes("FORWARD", ["-A FORWARD HASH --jump cali-FORWARD"]), ["wUHhoiAYhphO9Mso"]);
});

test("rule hashes: appends are seeded with <chain>*appends*", (t) => {
  const seed = "FORWARD*appends*";
  t.deepEqual(
    felixRuleHashes(seed, [
      `-A ${seed} HASH -m comment --comment "append drop rule" --jump DROP`,
      `-A ${seed} HASH -m comment --comment "append accept rule" --jump ACCEPT`,
    ]),
    ["qNsBylRkftPwO3XF", "IQ9H0Scq00rF0w4S"],
  );
});

test("rule hashes: each hash depends on every rule before it", (t) => {
  const [a1, b1] = felixRuleHashes("c", ["-A c HASH --jump ACCEPT", "-A c HASH --jump DROP"]);
  const [a2, b2] = felixRuleHashes("c", ["-A c HASH --jump RETURN", "-A c HASH --jump DROP"]);
  t.not(a1, a2);
  t.not(b1, b2);
  t.deepEqual(felixRuleHashes("c", []), []);
});

test("lengthLimitedId: libcalico-go hash/unique_id_test.go vectors", (t) => {
  t.is(lengthLimitedId("felix", "1234", 10), "felix1234");
  t.is(lengthLimitedId("felix", "123456", 11), "felix123456");
  t.is(lengthLimitedId("felix", "_2345", 10), "felix_kMQI");
  t.is(lengthLimitedId("felix", "12345678910", 13), "felix_Y2QCZIS");
  t.is(lengthLimitedId("felix", "", 10), "felix_");
  t.throws(() => lengthLimitedId("felix", "toolong", 6), { message: /^bug:/ });
});

test("lengthLimitedId: the * HEP forward chains (reference §1.5)", (t) => {
  t.is(lengthLimitedId("cali-th-", "any-interface-at-all", 28), "cali-th-any-interface-at-all");
  t.is(lengthLimitedId("cali-thfw-", "any-interface-at-all", 28), "cali-thfw-_Nqh4HyA73udmyanQI");
  t.is(lengthLimitedId("cali-fhfw-", "any-interface-at-all", 28), "cali-fhfw-_Nqh4HyA73udmyanQI");
  t.is(lengthLimitedId("cali-fh-", "eth0", 28), "cali-fh-eth0");
});
