// A TraceResult as readable text: the verdict, what decided it, the path (indented per chain depth, the deciding
// rule marked), then warnings and assumptions. ANSI colour only when the caller asks (the CLI decides from
// NO_COLOR and whether stdout is a TTY).

import { hex } from "./rule-text.js";
import { originText, sourceText } from "./origin-text.js";
import type { Packet, Step, TraceResult } from "./types.js";

export interface FormatOptions {
  readonly color: boolean;
}

const SGR = { bold: "1", dim: "2", red: "31", green: "32", yellow: "33", cyan: "36" } as const;
type Style = keyof typeof SGR;

const painter =
  (color: boolean) =>
  (text: string, ...styles: Style[]): string =>
    color && styles.length > 0 ? `\x1b[${styles.map((s) => SGR[s]).join(";")}m${text}\x1b[0m` : text;

const PROTO: Readonly<Record<number, string>> = {
  1: "icmp",
  6: "tcp",
  17: "udp",
  58: "icmpv6",
  132: "sctp",
  136: "udplite",
};

const endpoint = (ip: string, port: number | undefined): string =>
  port === undefined ? ip : ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;

export const packetText = (p: Packet): string => {
  const proto = PROTO[p.proto] ?? `proto ${p.proto}`;
  const icmp =
    p.icmpType === undefined ? "" : ` type ${p.icmpType}${p.icmpCode === undefined ? "" : `/${p.icmpCode}`}`;
  const ifaces = [p.in === undefined ? "" : `in ${p.in}`, p.out === undefined ? "" : `out ${p.out}`].filter(
    (x) => x !== "",
  );
  const extra = [
    p.state,
    ...(p.mark === undefined || p.mark === 0 ? [] : [`mark ${hex(p.mark)}`]),
    ...(p.dnatTo === undefined ? [] : [`DNAT to ${endpoint(p.dnatTo.ip, p.dnatTo.port)}`]),
  ];
  return `${proto}${icmp} ${endpoint(p.src, p.sport)} -> ${endpoint(p.dst, p.dport)} ${ifaces.join(" ")} (${extra.join(", ")})`;
};

const stepLine = (s: Step, deciding: boolean, paint: ReturnType<typeof painter>): string => {
  // Hook headers at the left; the kernel chain's rules one level in, and one more per jump or goto.
  const indent = "  ".repeat(s.kind === "event" && s.event === "hook" ? 1 : s.depth + 2);
  if (s.kind === "event") {
    const text = s.event === "hook" ? paint(s.text, "bold", "cyan") : paint(`[${s.text}]`, "dim");
    return `${indent}${deciding ? paint("=> ", "bold", "yellow") : ""}${text}`;
  }
  const head = `${s.chain} #${s.ruleIndex}`;
  const body = `${head}: ${s.rule}`;
  const mark = s.markAfter === 0 ? "" : paint(`  mark=${hex(s.markAfter)}`, "dim");
  const origin = s.origin === undefined ? "" : paint(`  <- ${originText(s.origin)}`, "dim");
  if (!s.matched) return `${indent}${paint(`${body} (no match)`, "dim")}`;
  if (deciding)
    return `${indent}${paint("=> ", "bold", "yellow")}${paint(body, "bold", "yellow")}${mark}${origin}`;
  return `${indent}${body}${mark}${origin}`;
};

export const formatTrace = (result: TraceResult, opts: FormatOptions, packet?: Packet): string => {
  const paint = painter(opts.color);
  const d = result.decidedBy;
  const lines: string[] = [];
  const verdict =
    result.verdict === "accept" ? paint("ACCEPT", "bold", "green") : paint("DROP", "bold", "red");
  lines.push(packet === undefined ? verdict : `${verdict}  ${packetText(packet)}`);
  const who = [
    d.name,
    d.ruleIndex === undefined ? undefined : `rule ${d.ruleIndex}`,
    d.tier === undefined ? undefined : `tier ${d.tier}`,
  ]
    .filter((x) => x !== undefined)
    .join(", ");
  lines.push(
    `decided by: ${paint(d.kind, "bold")}${who === "" ? "" : ` (${who})`}${d.source === undefined ? "" : ` ${sourceText(d.source)}`}`,
  );
  lines.push(`  ${d.detail}`);
  const at = d.step === undefined ? undefined : result.path[d.step];
  if (at?.kind === "rule")
    lines.push(`  at ${at.table} ${at.hook} ${at.chain} #${at.ruleIndex}: ${paint(at.rule, "yellow")}`);
  if (result.path.length > 0) {
    lines.push("", "path:");
    result.path.forEach((s, i) => lines.push(stepLine(s, i === d.step, paint)));
  }
  if (result.warnings.length > 0) {
    lines.push("", paint("warnings:", "bold", "yellow"));
    for (const w of result.warnings) lines.push(`  - ${w}`);
  }
  if (result.assumptions.length > 0) {
    lines.push("", "assumptions:");
    for (const a of result.assumptions) lines.push(`  - ${a}`);
  }
  return `${lines.join("\n")}\n`;
};
