// A small, fast YAML emitter for generated resources: block mappings and sequences, strings plain where
// YAML 1.2 reads them back as the same string (as calicoctl prints them) and double-quoted otherwise
// (JSON string syntax is valid YAML), numbers and booleans plain. Deterministic: keys are written in
// insertion order. Only for the plain data the generator builds (no cycles, no undefined inside arrays).

type Value =
  string | number | boolean | null | undefined | readonly Value[] | { readonly [k: string]: Value };

const SPECIAL = /^(?:true|false|null|~|yes|no|on|off|y|n)$/i;
const NUMERIC =
  /^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o[0-7_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[0-9:]+)$/;

/** Can `s` be written as a plain scalar and read back as this string? (Conservative.) */
const plainSafe = (s: string): boolean =>
  s !== "" &&
  s.trim() === s &&
  !/^[-?:,[\]{}#&*!|>'"%@`]/.test(s) &&
  !/[\n\t\r]|: |\s#|:$/.test(s) &&
  // eslint-disable-next-line no-control-regex
  !/[\u0000-\u001f\u007f-\u009f]/.test(s) &&
  !SPECIAL.test(s) &&
  !NUMERIC.test(s);

const key = (k: string): string => (plainSafe(k) && !k.includes(",") ? k : JSON.stringify(k));

const scalar = (v: string | number | boolean | null, inFlow = false): string =>
  typeof v === "string"
    ? plainSafe(v) && !(inFlow && /[,[\]{}]/.test(v))
      ? v
      : JSON.stringify(v)
    : v === null
      ? "null"
      : String(v);

const isScalar = (v: Value): v is string | number | boolean | null => v === null || typeof v !== "object";

const emit = (v: Value, indent: string, out: string[]): void => {
  if (Array.isArray(v)) {
    for (const item of v as readonly Value[]) {
      if (isScalar(item)) out.push(`${indent}- ${scalar(item)}`);
      else if (Array.isArray(item)) {
        if (item.length === 0) out.push(`${indent}- []`);
        else {
          out.push(`${indent}-`);
          emit(item, `${indent}  `, out);
        }
      } else {
        const entries = Object.entries(item as Record<string, Value>).filter(([, x]) => x !== undefined);
        if (entries.length === 0) {
          out.push(`${indent}- {}`);
          continue;
        }
        // First key on the dash line, the rest aligned under it.
        const lines: string[] = [];
        emitMap(entries, `${indent}  `, lines);
        lines[0] = `${indent}- ${lines[0]!.slice(indent.length + 2)}`;
        out.push(...lines);
      }
    }
    return;
  }
  emitMap(
    Object.entries(v as Record<string, Value>).filter(([, x]) => x !== undefined),
    indent,
    out,
  );
};

const emitMap = (entries: readonly (readonly [string, Value])[], indent: string, out: string[]): void => {
  for (const [k, v] of entries) {
    if (isScalar(v)) out.push(`${indent}${key(k)}: ${scalar(v)}`);
    else if (Array.isArray(v)) {
      if (v.length === 0) out.push(`${indent}${key(k)}: []`);
      else if (v.every(isScalar) && v.length <= 16)
        out.push(
          `${indent}${key(k)}: [${(v as (string | number | boolean | null)[]).map((x) => scalar(x, true)).join(", ")}]`,
        );
      else {
        out.push(`${indent}${key(k)}:`);
        emit(v, indent, out);
      }
    } else {
      const sub = Object.entries(v as Record<string, Value>).filter(([, x]) => x !== undefined);
      if (sub.length === 0) out.push(`${indent}${key(k)}: {}`);
      else {
        out.push(`${indent}${key(k)}:`);
        emitMap(sub, `${indent}  `, out);
      }
    }
  }
};

/** One YAML document per value, separated by `---`, with an optional leading comment. */
export const toYamlDocuments = (docs: readonly Value[], comment?: string): string => {
  const out: string[] = [];
  if (comment !== undefined) for (const line of comment.split("\n")) out.push(`# ${line}`);
  docs.forEach((d, i) => {
    if (i > 0) out.push("---");
    emit(d, "", out);
  });
  return `${out.join("\n")}\n`;
};

export type { Value as YamlValue };
