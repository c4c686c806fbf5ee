// Felix's IP set identities: `s:<hash>` for selector sets, `n:<hash>` for named-port sets, and the
// dataplane name `cali4`/`cali6` + `0` + id cut to 31 characters (felix/ipsets/ipset_defs.go).

import { hash } from "node:crypto";

const hashes = new Map<string, string>();

/** Memoised: the same selectors and named ports recur on every node. */
const sha224b64 = (text: string): string => {
  let h = hashes.get(text);
  if (h === undefined) {
    h = hash("sha224", text, "base64url");
    hashes.set(text, h);
  }
  return h;
};

/** libcalico-go/lib/hash/unique_id.go: "s:" + base64url(SHA-224("s:" + canonical selector)). */
export const selectorSetId = (canonicalSelector: string): string =>
  `s:${sha224b64(`s:${canonicalSelector}`)}`;

/** felix/calc/rule_scanner.go: the named-port set id hashes the selector id, protocol and port name. */
export const namedPortSetId = (canonicalSelector: string, protocol: string, portName: string): string =>
  `n:${sha224b64(`n:${selectorSetId(canonicalSelector)},${protocol},${portName}`)}`;

export const ipSetName = (version: 4 | 6, id: string): string => `cali${version}0${id}`.slice(0, 31);

/**
 * The name `ipSetName` gives the same id for `version`, from a name it gave for either version: the two
 * differ only in the version digit, since the cut to 31 characters keeps the same part of the id.
 */
export const ipSetNameInVersion = (name: string, version: 4 | 6): string => {
  if (!/^cali[46]0/.test(name))
    throw new Error(`bug: ${name} is not an IP set name of a selector or named port`);
  return `cali${version}${name.slice(5)}`;
};
