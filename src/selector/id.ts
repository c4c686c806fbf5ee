// Felix's selector UniqueID: hash.MakeUniqueID("s", String()) in libcalico-go lib/hash/unique_id.go,
// i.e. "s:" + unpadded base64url(SHA-224("s:" + canonical)). Felix derives ipset names from it.

import { hash } from "node:crypto";
import type { Selector } from "./ast.js";
import { printSelector } from "./print.js";

export const selectorUniqueId = (sel: Selector): string =>
  `s:${hash("sha224", `s:${printSelector(sel)}`, "base64url")}`;
