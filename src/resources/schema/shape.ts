// Runs a zod shape schema and turns its issues into findings (zod's own wording is never used).

import { z } from "zod";
import { error, type Checked, type Finding } from "../findings.js";
import type { Path, PathElement } from "../paths.js";
import { suggest } from "../suggest.js";

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

/** The sub-schema at a path, looking through optional, array, record and union wrappers. */
const schemaAt = (schema: AnySchema | undefined, path: readonly PropertyKey[]): AnySchema | undefined => {
  let current = schema;
  for (const element of [...path, null]) {
    for (;;) {
      const def = current?._zod.def as { type?: string; innerType?: AnySchema } | undefined;
      if (def?.type === "optional" || def?.type === "nullable" || def?.type === "default")
        current = def.innerType;
      else break;
    }
    if (element === null || current === undefined) return current;
    const def = current._zod.def as {
      type?: string;
      shape?: Record<string, AnySchema>;
      element?: AnySchema;
      valueType?: AnySchema;
      options?: AnySchema[];
    };
    if (def.type === "object") current = def.shape?.[String(element)];
    else if (def.type === "array") current = def.element;
    else if (def.type === "record") current = def.valueType;
    else return undefined;
  }
  return current;
};

const objectKeys = (schema: AnySchema | undefined): readonly string[] => {
  const def = schema?._zod.def as { type?: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === "object" && def.shape !== undefined ? Object.keys(def.shape) : [];
};

const bounds = (schema: AnySchema | undefined): { min: number; max: number } => {
  const n = schema instanceof z.ZodNumber ? schema : undefined;
  return { min: n?.minValue ?? -Infinity, max: n?.maxValue ?? Infinity };
};

const toPath = (base: Path, path: readonly PropertyKey[]): PathElement[] => [
  ...base,
  ...path.map((p) => (typeof p === "number" ? p : String(p))),
];

/** Expected types of a union that failed on type alone (e.g. number | string). */
const unionExpected = (issue: Extract<Issue, { code: "invalid_union" }>): string[] =>
  issue.errors.flatMap((option) =>
    option.flatMap((i) => (i.code === "invalid_type" && i.path.length === 0 ? [String(i.expected)] : [])),
  );

const fromIssue = (root: AnySchema, base: Path, issue: Issue): Finding[] => {
  const path = toPath(base, issue.path);
  const input = issue.input;
  switch (issue.code) {
    case "invalid_type":
      return [
        input === undefined
          ? error(path, { code: "missing_field" })
          : error(path, { code: "invalid_type", expected: [String(issue.expected)], received: input }),
      ];
    case "invalid_union":
      return [
        input === undefined
          ? error(path, { code: "missing_field" })
          : error(path, { code: "invalid_type", expected: unionExpected(issue), received: input }),
      ];
    case "invalid_value": {
      const values = issue.values.filter(
        (v): v is string | number => typeof v === "string" || typeof v === "number",
      );
      const hint = typeof input === "string" ? suggest(input, values.map(String)) : undefined;
      return [
        error(path, {
          code: "invalid_value",
          received: input,
          values,
          ...(hint === undefined ? {} : { suggestion: hint }),
        }),
      ];
    }
    case "too_small":
    case "too_big": {
      if (issue.origin === "array") {
        const count = Array.isArray(input) ? input.length : 0;
        return [
          issue.code === "too_small"
            ? error(path, { code: "too_few_items", min: Number(issue.minimum) })
            : error(path, { code: "too_many_items", count, max: Number(issue.maximum) }),
        ];
      }
      if (issue.origin === "string") {
        const length = typeof input === "string" ? input.length : 0;
        return [
          error(path, {
            code: "too_long",
            length,
            max: Number(issue.code === "too_big" ? issue.maximum : 0),
          }),
        ];
      }
      return [error(path, { code: "out_of_range", received: input, ...bounds(schemaAt(root, issue.path)) })];
    }
    case "unrecognized_keys": {
      const known = objectKeys(schemaAt(root, issue.path));
      return issue.keys.map((key) => {
        const hint = suggest(key, known);
        return error(
          [...path, key],
          { code: "unknown_field", field: key, known, ...(hint === undefined ? {} : { suggestion: hint }) },
          { at: "key" },
        );
      });
    }
    default:
      return [error(path, { code: "invalid_type", expected: ["valid value"], received: input })];
  }
};

/** Parse `value` with `schema`; on failure return no value and a finding per problem. */
export const shape = <S extends AnySchema>(
  schema: S,
  value: unknown,
  base: Path,
): Checked<z.output<S> | undefined> => {
  const result = z.safeParse(schema, value, { reportInput: true });
  if (result.success) return { value: result.data, findings: [] };
  return { value: undefined, findings: result.error.issues.flatMap((i) => fromIssue(schema, base, i)) };
};

interface Def {
  readonly type?: string;
  readonly innerType?: AnySchema;
  readonly shape?: Record<string, AnySchema>;
  readonly catchall?: AnySchema;
  readonly valueType?: AnySchema;
}

const defOf = (schema: AnySchema): Def => schema._zod.def as Def;

const unwrapOptional = (schema: AnySchema): { inner: AnySchema; optional: boolean } => {
  const def = defOf(schema);
  return def.type === "optional" && def.innerType !== undefined
    ? { inner: unwrapOptional(def.innerType).inner, optional: true }
    : { inner: schema, optional: false };
};

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const agreeing = new WeakMap<AnySchema, boolean>();

/**
 * Whether parsing `schema` whole gives, on success, the value the field-by-field walk of shapeDeep
 * gives. It does unless a loose object (one keeping unknown keys) is reached through objects and
 * records: zod keeps those keys, the walk builds objects from the known fields only.
 */
const wholeParseAgrees = (schema: AnySchema): boolean => {
  const known = agreeing.get(schema);
  if (known !== undefined) return known;
  const def = defOf(unwrapOptional(schema).inner);
  const agrees =
    def.type !== "object" || def.shape === undefined
      ? true
      : (def.catchall === undefined || defOf(def.catchall).type === "never") &&
        Object.values(def.shape).every(wholeParseAgrees);
  agreeing.set(schema, agrees);
  return agrees;
};

/**
 * Like `shape`, but objects are checked field by field and records entry by entry, so one bad
 * field does not hide the others from later checks: a failed optional field is left out of the
 * value; a failed required field makes the whole object undefined. Arrays are all or nothing.
 */
export const shapeDeep = <S extends AnySchema>(
  schema: S,
  value: unknown,
  base: Path,
): Checked<z.output<S> | undefined> => {
  // Valid input (nearly all of a large cluster) is parsed in one go; the walk below, which finds every
  // problem, runs only when that fails. Same value either way, as wholeParseAgrees explains.
  if (wholeParseAgrees(schema)) {
    const whole = z.safeParse(schema, value);
    if (whole.success) return { value: whole.data, findings: [] };
  }
  const { inner, optional } = unwrapOptional(schema);
  if (value === undefined && optional) return { value: undefined, findings: [] };
  const def = defOf(inner);
  if (def.type === "record" && def.valueType !== undefined && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    const findings: Finding[] = [];
    for (const [key, item] of Object.entries(value)) {
      const r = shape(def.valueType, item, [...base, key]);
      findings.push(...r.findings);
      if (r.findings.length === 0) out[key] = r.value;
    }
    return { value: out as z.output<S>, findings };
  }
  if (def.type !== "object" || def.shape === undefined || !isPlainObject(value))
    return shape(schema, value, base);
  const known = Object.keys(def.shape);
  const findings: Finding[] = [];
  if (def.catchall !== undefined && defOf(def.catchall).type === "never") {
    for (const key of Object.keys(value).filter((k) => !known.includes(k))) {
      const hint = suggest(key, known);
      findings.push(
        error(
          [...base, key],
          { code: "unknown_field", field: key, known, ...(hint === undefined ? {} : { suggestion: hint }) },
          { at: "key" },
        ),
      );
    }
  }
  const out: Record<string, unknown> = {};
  let complete = true;
  for (const [key, fieldSchema] of Object.entries(def.shape)) {
    const r = shapeDeep(fieldSchema, value[key], [...base, key]);
    findings.push(...r.findings);
    if (r.value !== undefined) out[key] = r.value;
    else if (r.findings.length > 0 && !unwrapOptional(fieldSchema).optional) complete = false;
  }
  return { value: complete ? (out as z.output<S>) : undefined, findings };
};

/** Drop mapping entries whose value is null, as Go's JSON decoding does for optional fields. */
export const withoutNulls = (value: unknown): unknown => (hasNull(value) ? copyWithoutNulls(value) : value);

/** Whether a null sits anywhere inside (most documents have none, and then need no copy). */
const hasNull = (value: unknown): boolean => {
  if (value === null) return true;
  if (typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(hasNull);
  for (const k in value) if (hasNull((value as Record<string, unknown>)[k])) return true;
  return false;
};

const copyWithoutNulls = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(copyWithoutNulls);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== null)
      Object.defineProperty(out, k, {
        value: copyWithoutNulls(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
};
