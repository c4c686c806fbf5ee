// JSON written in parts, as JSON.stringify(value, null, 2) writes it whole: for reports of more items than
// fit in memory at once, or in one string (V8's longest is about 2^29 characters). The reports that go
// node by node (preflight, upgrade-check, diff) write their lists with this; tests hold each report's
// parts to JSON.stringify of the whole.

const indent = (depth: number): string => "  ".repeat(depth);

/** JSON.stringify(value, null, 2) as it reads nested `depth` levels deep. */
export const jsonAt = (value: unknown, depth: number): string =>
  JSON.stringify(value, null, 2).replaceAll("\n", `\n${indent(depth)}`);

/**
 * A list nested `depth` levels deep, written an item at a time: `item` takes an item's text (jsonAt at
 * depth + 1) and gives what to write for it; `close` gives the rest ("[]" when there was none).
 */
export const jsonListParts = (depth: number): { item: (text: string) => string; close: () => string } => {
  let items = 0;
  return {
    item: (text) => `${items++ === 0 ? "[" : ","}\n${indent(depth + 1)}${text}`,
    close: () => (items === 0 ? "[]" : `\n${indent(depth)}]`),
  };
};
