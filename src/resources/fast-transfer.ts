// Documents read fast in a worker thread, in a form that survives postMessage. A FastDoc records where
// its collections start by object identity, which a structured clone loses; the clone keeps the tree
// (plain objects and arrays, keys in order, no shared nodes: the fast subset has no aliases), so each
// recorded collection is named by its place in a depth-first walk instead and found again after the copy.

import type { FastDoc } from "./yaml-fast.js";

export interface TransferDoc {
  readonly value: unknown;
  readonly start: number;
  /** Pairs of (preorder ordinal of a collection, its start offset), ordinals ascending. */
  readonly starts: readonly number[];
}

/** Visits every mapping and sequence of a tree in preorder: the same order for a tree and its clone. */
const eachCollection = (root: unknown, visit: (node: object, ordinal: number) => void): void => {
  let ordinal = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null) continue;
    visit(node, ordinal++);
    // Children pushed last-first so that they are visited first-first.
    const children = Array.isArray(node) ? node : Object.values(node);
    for (let i = children.length - 1; i >= 0; i--) {
      const c: unknown = children[i];
      if (typeof c === "object" && c !== null) stack.push(c);
    }
  }
};

export const toTransfer = (docs: readonly FastDoc[]): TransferDoc[] =>
  docs.map((d) => {
    const starts: number[] = [];
    if (d.starts.size > 0)
      eachCollection(d.value, (node, ordinal) => {
        const at = d.starts.get(node);
        if (at !== undefined) starts.push(ordinal, at);
      });
    return { value: d.value, start: d.start, starts };
  });

export const fromTransfer = (docs: readonly TransferDoc[]): FastDoc[] =>
  docs.map((d) => {
    const starts = new Map<object, number>();
    let next = 0;
    if (d.starts.length > 0)
      eachCollection(d.value, (node, ordinal) => {
        if (ordinal === d.starts[next]) {
          starts.set(node, d.starts[next + 1]!);
          next += 2;
        }
      });
    return { value: d.value, start: d.start, starts };
  });
