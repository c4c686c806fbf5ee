// Parsed-selector cache and the selector Felix actually evaluates for a policy or a rule side.
// Host endpoints and GlobalNetworkSets carry no namespace or service account, which is what makes
// namespaceSelector / serviceAccounts clauses decidable here (updateprocessors/rules.go:60-127).

import { matchesSelector, parseSelector, printSelector, type Selector } from "../selector/index.js";

const cache = new Map<string, Selector | null>();

/** Parses with a cache; an unparsable selector (already reported by validation) matches nothing. */
export const compileSelector = (text: string | undefined): Selector | null => {
  const key = text === undefined || text.trim() === "" ? "all()" : text;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const parsed = parseSelector(key);
  const sel = parsed.ok ? parsed.value : null;
  cache.set(key, sel);
  return sel;
};

export const selectorMatches = (
  text: string | undefined,
  labels: Readonly<Record<string, string>>,
): boolean => {
  const sel = compileSelector(text);
  return sel !== null && matchesSelector(sel, labels);
};

const canonicalCache = new Map<string | undefined, string>();

export const canonicalSelector = (text: string | undefined): string => {
  const hit = canonicalCache.get(text);
  if (hit !== undefined) return hit;
  const sel = compileSelector(text);
  const canonical = sel === null ? (text ?? "") : printSelector(sel);
  canonicalCache.set(text, canonical);
  return canonical;
};

/**
 * How a namespaceSelector clause evaluates for a non-namespaced endpoint: Calico rewrites `global()`
 * to `!has(projectcalico.org/namespace)` (true here), `all()` to `has(projectcalico.org/namespace)`
 * (false here), and prefixes every other label with `pcns.`, which host endpoints never carry — so
 * the clause is the namespace selector evaluated against no labels.
 */
export const namespaceClauseMatchesGlobal = (namespaceSelector: string | undefined): boolean => {
  if (namespaceSelector === undefined || namespaceSelector.trim() === "") return true;
  const trimmed = namespaceSelector.trim();
  if (trimmed === "global()") return true;
  if (trimmed === "all()") return false;
  return selectorMatches(trimmed, {});
};

/** The selector string Felix builds for one side of a rule (getEndpointSelector), for set naming. */
export const combinedRuleSelector = (side: {
  readonly selector?: string;
  readonly namespaceSelector?: string;
  readonly serviceAccounts?: { readonly names: readonly string[]; readonly selector?: string };
}): string | undefined => {
  const parts: string[] = [];
  const sa = side.serviceAccounts;
  if (sa !== undefined && (sa.names.length > 0 || sa.selector !== undefined)) {
    const names = sa.names.map((n) => `'${n}'`).join(", ");
    const saParts: string[] = [];
    if (sa.names.length > 0) saParts.push(`projectcalico.org/serviceaccount in {${names}}`);
    if (sa.selector !== undefined) saParts.push(sa.selector);
    parts.push(saParts.join(" && "));
  }
  if (side.selector !== undefined && side.selector.trim() !== "") parts.push(side.selector);
  let selector = parts.length === 0 ? "" : parts.length === 1 ? parts[0]! : `(${parts.join(") && (")})`;
  const ns = side.namespaceSelector?.trim();
  if (ns !== undefined && ns !== "") {
    const nsSel = ns
      .replaceAll("all()", "has(projectcalico.org/namespace)")
      .replaceAll("global()", "!has(projectcalico.org/namespace)");
    selector = selector === "" ? nsSel : `(${nsSel}) && (${selector})`;
  }
  return selector === "" ? undefined : selector;
};
