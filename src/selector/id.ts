// Felix's selector UniqueID: hash.MakeUniqueID("s", String()) in libcalico-go lib/hash/unique_id.go,
// i.e. "s:" + unpadded base64url(SHA-224("s:" + canonical)). Felix derives ipset names from it.

import { createHash } from "node:crypto";
import type { Selector } from "./ast.js";
import { printSelector } from "./print.js";

export const selectorUniqueId = (sel: Selector): string =>
  `s:${createHash("sha224")
    .update(`s:${printSelector(sel)}`, "utf8")
    .digest("base64url")}`;
