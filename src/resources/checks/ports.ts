// Rule ports (numorstring.Port): 80, "80", "1000:2000" or a named port.

import type { PortSpec } from "../model.js";
import type { Detail } from "../findings.js";
import { err, ok, type Result } from "../../util/result.js";
import { portNameProblems } from "./names.js";

const NAMED = /^[a-zA-Z0-9_.-]{1,128}$/;
const DIGITS = /^\d+$/;
const RANGE = /^(\d+):(\d+)$/;

const bad = (value: unknown): Result<never, Detail> => err({ code: "invalid_port", value });

const single = (n: number, value: unknown): Result<PortSpec, Detail> =>
  Number.isInteger(n) && n >= 1 && n <= 65535 ? ok({ kind: "range", from: n, to: n }) : bad(value);

export const parsePort = (value: string | number): Result<PortSpec, Detail> => {
  if (typeof value === "number") return single(value, value);
  if (DIGITS.test(value)) return single(Number(value), value);
  const range = RANGE.exec(value);
  if (range !== null) {
    const from = Number(range[1]);
    const to = Number(range[2]);
    if (from > 65535 || to > 65535) return bad(value);
    if (from > to) return err({ code: "port_range_reversed", from, to });
    if (from < 1) return bad(value);
    return ok({ kind: "range", from, to });
  }
  if (!NAMED.test(value)) return bad(value);
  const problems = portNameProblems(value);
  if (problems.length > 0)
    return err({ code: "invalid_port_name", name: value, reason: problems.join("; ") });
  return ok({ kind: "named", name: value });
};
