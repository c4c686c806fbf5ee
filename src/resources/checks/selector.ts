// Selector fields: syntax via the selector module, and the global() placement rules
// (CEL rules on the policy specs and EntityRule, and validateEntityRule).

import { parseSelector } from "../../selector/index.js";
import { error, type Finding } from "../findings.js";
import type { Path } from "../paths.js";

/**
 * "plain": global() anywhere is an error (policy selectors, EntityRule.selector).
 * "namespace": global() must stand alone (EntityRule.namespaceSelector).
 * "any": no global() rule (notSelector, serviceAccounts.selector).
 */
export type GlobalUse = "plain" | "namespace" | "any";

export const checkSelector = (text: string | undefined, path: Path, use: GlobalUse): readonly Finding[] => {
  if (text === undefined) return [];
  const parsed = parseSelector(text);
  if (!parsed.ok) {
    const { offset, message, expected } = parsed.error;
    return [
      error(
        path,
        { code: "selector_syntax", reason: message, ...(expected === undefined ? {} : { expected }) },
        { offset },
      ),
    ];
  }
  if (use === "plain" && text.includes("global(")) return [error(path, { code: "global_selector_misuse" })];
  if (use === "namespace" && text.includes("global(") && parsed.value.kind !== "global") {
    return [error(path, { code: "global_selector_combined" })];
  }
  return [];
};
