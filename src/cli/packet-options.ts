// Packet options for `calisim trace`, parsed into the tracer's Packet with errors that name the option.

import type { Argv } from "yargs";
import ipaddr from "ipaddr.js";
import type { Packet, PacketState } from "../trace/index.js";
import { CliError } from "./common.js";

const PROTOCOLS: Readonly<Record<string, number>> = {
  tcp: 6,
  udp: 17,
  sctp: 132,
  icmp: 1,
  icmpv6: 58,
  "ipv6-icmp": 58,
  udplite: 136,
};
const STATES = ["new", "established", "related", "invalid"] as const;

export interface PacketArgs {
  in?: string;
  out?: string;
  src?: string;
  dst?: string;
  proto: string;
  sport?: number;
  dport?: number;
  "icmp-type"?: number;
  "icmp-code"?: number;
  state: string;
  mark?: string;
  "dnat-to"?: string;
}

export const packetOptions = <T>(y: Argv<T>) =>
  y
    .option("in", { type: "string", describe: "interface the packet arrives on (omit: locally generated)" })
    .option("out", { type: "string", describe: "interface the packet leaves on (omit: delivered locally)" })
    .option("src", { type: "string", describe: "source address (IPv4 or IPv6)" })
    .option("dst", { type: "string", describe: "destination address" })
    .option("proto", {
      type: "string",
      default: "tcp",
      describe: "tcp | udp | sctp | icmp | icmpv6 | a number",
    })
    .option("sport", { type: "number", describe: "source port (default 40000 for tcp/udp/sctp)" })
    .option("dport", { type: "number", describe: "destination port" })
    .option("icmp-type", { type: "number", describe: "ICMP type (default 8, echo request)" })
    .option("icmp-code", { type: "number", describe: "ICMP code" })
    .option("state", { choices: STATES, default: "new", describe: "conntrack state the packet has" })
    .option("mark", { type: "string", describe: "packet mark on entry (e.g. 0x0)" })
    .option("dnat-to", {
      type: "string",
      describe: "DNAT in nat PREROUTING/OUTPUT, like a kube-proxy NodePort: IP[:PORT]",
    });

const address = (opt: string, text: string | undefined): string => {
  if (text === undefined) throw new CliError(`--${opt} is required (an IPv4 or IPv6 address)`, 2);
  if (!ipaddr.isValid(text)) throw new CliError(`--${opt} ${JSON.stringify(text)} is not an IP address`, 2);
  return ipaddr.parse(text).toString();
};

const port = (opt: string, n: number | undefined): number | undefined => {
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliError(`--${opt} ${n} is not a port (accepted: 0-65535)`, 2);
  return n;
};

export const parsePacket = (a: PacketArgs): Packet => {
  const src = address("src", a.src);
  const dst = address("dst", a.dst);
  if (src.includes(":") !== dst.includes(":"))
    throw new CliError("--src and --dst must be the same IP version", 2);
  const protoText = a.proto.toLowerCase();
  const proto = PROTOCOLS[protoText] ?? (/^\d+$/.test(protoText) ? Number(protoText) : undefined);
  if (proto === undefined || proto > 255)
    throw new CliError(
      `--proto ${JSON.stringify(a.proto)} (accepted: ${Object.keys(PROTOCOLS).join(", ")}, or 0-255)`,
      2,
    );
  const hasPorts = [6, 17, 132, 136].includes(proto);
  const isIcmp = proto === 1 || proto === 58;
  if (!hasPorts && (a.sport !== undefined || a.dport !== undefined))
    throw new CliError(`--sport/--dport need --proto tcp, udp, sctp or udplite (got ${a.proto})`, 2);
  if (hasPorts && a.dport === undefined) throw new CliError(`--dport is required for --proto ${a.proto}`, 2);
  let mark: number | undefined;
  if (a.mark !== undefined) {
    mark = Number(a.mark);
    if (!Number.isInteger(mark) || mark < 0 || mark > 0xffffffff)
      throw new CliError(`--mark ${JSON.stringify(a.mark)} is not a 32-bit mark (e.g. 0x10000)`, 2);
  }
  let dnatTo: Packet["dnatTo"];
  if (a["dnat-to"] !== undefined) {
    const m = /^\[?([0-9a-fA-F.:]+?)\]?(?::(\d+))?$/.exec(a["dnat-to"]);
    const ip = m?.[1];
    if (ip === undefined || !ipaddr.isValid(ip))
      throw new CliError(
        `--dnat-to ${JSON.stringify(a["dnat-to"])} (accepted: IP or IP:PORT, [IPv6]:PORT)`,
        2,
      );
    dnatTo = {
      ip: ipaddr.parse(ip).toString(),
      ...(m?.[2] === undefined ? {} : { port: port("dnat-to", Number(m[2]))! }),
    };
  }
  return {
    ...(a.in === undefined ? {} : { in: a.in }),
    ...(a.out === undefined ? {} : { out: a.out }),
    src,
    dst,
    proto,
    ...(hasPorts ? { sport: port("sport", a.sport) ?? 40000, dport: port("dport", a.dport)! } : {}),
    ...(isIcmp
      ? {
          icmpType: a["icmp-type"] ?? 8,
          ...(a["icmp-code"] === undefined ? {} : { icmpCode: a["icmp-code"] }),
        }
      : {}),
    state: a.state as PacketState,
    ...(mark === undefined ? {} : { mark }),
    ...(dnatTo === undefined ? {} : { dnatTo }),
  };
};
