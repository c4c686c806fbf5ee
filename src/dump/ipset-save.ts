// `ipset save` output (or `ipset restore` input) → sets with their members.

import { err, ok } from "../util/result.js";
import type { Result } from "../util/result.js";
import { tokenize } from "./tokens.js";
import type { DumpIpSet, ParseError } from "./types.js";

// Creation options that are flags (no value), from ipset(8).
const FLAGS: ReadonlySet<string> = new Set([
  "counters",
  "comment",
  "skbinfo",
  "forceadd",
  "nomatch",
  "-exist",
]);

interface SetState {
  readonly name: string;
  readonly type: string;
  readonly family: "inet" | "inet6";
  readonly options: Record<string, string>;
  readonly members: string[];
  readonly line: number;
}

const createSet = (words: readonly string[], line: number): SetState | string => {
  const [, name, type, ...rest] = words;
  if (name === undefined || type === undefined) return "create needs a name and a type";
  const options: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const key = rest[i] as string;
    if (FLAGS.has(key)) options[key] = "";
    else if (i + 1 < rest.length) options[key] = rest[++i] as string;
    else return `option ${key} needs a value`;
  }
  const family = options["family"] ?? "inet";
  delete options["family"];
  if (family !== "inet" && family !== "inet6") return `family ${family} is not modelled`;
  return { name, type, family, options, members: [], line };
};

/** Parse `ipset save` text; sets keep their order, members their order of appearance. */
export const parseIpsetSave = (text: string): Result<DumpIpSet[], ParseError[]> => {
  const sets = new Map<string, SetState>();
  const errors: ParseError[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const fail = (message: string): void => void errors.push({ line: i + 1, message, text: raw });
    const toks = tokenize(trimmed);
    if (!toks.ok) {
      fail(toks.error);
      continue;
    }
    const words = toks.value.map((t) => t.text);
    const [cmd, name, member] = words;
    if (cmd === "create" || cmd === "-N" || cmd === "n") {
      const set = createSet(words, i + 1);
      if (typeof set === "string") fail(set);
      else if (sets.has(set.name)) fail(`set ${set.name} created twice`);
      else sets.set(set.name, set);
    } else if (cmd === "add" || cmd === "-A" || cmd === "a") {
      const set = name === undefined ? undefined : sets.get(name);
      if (set === undefined || member === undefined) fail(`add to unknown set ${name ?? ""}`);
      else set.members.push(member);
    } else {
      fail(`unsupported ipset command ${cmd ?? ""}`);
    }
  }
  return errors.length > 0 ? err(errors) : ok([...sets.values()]);
};
