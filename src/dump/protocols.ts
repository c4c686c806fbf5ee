// Protocol and ICMP names as iptables reads and prints them: /etc/protocols spellings (iptables-save prints
// getprotobynumber names, e.g. `-p ipencap` for 4, `-p gre` for 47) plus iptables' own built-in aliases
// (libxtables xtables_chain_protos: icmpv6, ipv6-mh, mh, all).

/** /etc/protocols (netbase) names and aliases → number. */
export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  ip: 0,
  all: 0,
  hopopt: 0,
  icmp: 1,
  igmp: 2,
  ggp: 3,
  ipencap: 4,
  "ip-encap": 4,
  ipv4: 4,
  st: 5,
  tcp: 6,
  egp: 8,
  igp: 9,
  pup: 12,
  udp: 17,
  hmp: 20,
  "xns-idp": 22,
  rdp: 27,
  "iso-tp4": 29,
  dccp: 33,
  xtp: 36,
  ddp: 37,
  "idpr-cmtp": 38,
  ipv6: 41,
  "ipv6-route": 43,
  "ipv6-frag": 44,
  idrp: 45,
  rsvp: 46,
  gre: 47,
  esp: 50,
  ah: 51,
  skip: 57,
  "ipv6-icmp": 58,
  icmpv6: 58,
  "ipv6-nonxt": 59,
  "ipv6-opts": 60,
  rspf: 73,
  vmtp: 81,
  eigrp: 88,
  ospf: 89,
  ospfigp: 89,
  "ax.25": 93,
  ipip: 94,
  etherip: 97,
  encap: 98,
  pim: 103,
  ipcomp: 108,
  vrrp: 112,
  l2tp: 115,
  isis: 124,
  sctp: 132,
  fc: 133,
  "mobility-header": 135,
  "ipv6-mh": 135,
  mh: 135,
  udplite: 136,
  "mpls-in-ip": 137,
  manet: 138,
  hip: 139,
  shim6: 140,
  wesp: 141,
  rohc: 142,
  ethernet: 143,
};

/** `-p` value → protocol number (0 = any); undefined when it is neither a known name nor 0-255. */
export const protocolNumber = (word: string): number | undefined => {
  if (/^\d+$/.test(word)) {
    const n = Number(word);
    return n <= 255 ? n : undefined;
  }
  return PROTOCOL_NUMBERS[word.toLowerCase()];
};

/** iptables' ICMP type names (extensions/libxt_icmp.c): [type, code]; a missing code means any code. */
export const ICMP_NAMES: Readonly<Record<string, readonly [number, number?]>> = {
  "echo-reply": [0],
  pong: [0],
  "destination-unreachable": [3],
  "network-unreachable": [3, 0],
  "host-unreachable": [3, 1],
  "protocol-unreachable": [3, 2],
  "port-unreachable": [3, 3],
  "fragmentation-needed": [3, 4],
  "source-route-failed": [3, 5],
  "network-unknown": [3, 6],
  "host-unknown": [3, 7],
  "network-prohibited": [3, 9],
  "host-prohibited": [3, 10],
  "TOS-network-unreachable": [3, 11],
  "TOS-host-unreachable": [3, 12],
  "communication-prohibited": [3, 13],
  "host-precedence-violation": [3, 14],
  "precedence-cutoff": [3, 15],
  "source-quench": [4],
  redirect: [5],
  "network-redirect": [5, 0],
  "host-redirect": [5, 1],
  "TOS-network-redirect": [5, 2],
  "TOS-host-redirect": [5, 3],
  "echo-request": [8],
  ping: [8],
  "router-advertisement": [9],
  "router-solicitation": [10],
  "time-exceeded": [11],
  "ttl-exceeded": [11],
  "ttl-zero-during-transit": [11, 0],
  "ttl-zero-during-reassembly": [11, 1],
  "parameter-problem": [12],
  "ip-header-bad": [12, 0],
  "required-option-missing": [12, 1],
  "timestamp-request": [13],
  "timestamp-reply": [14],
  "address-mask-request": [17],
  "address-mask-reply": [18],
};

/** iptables' ICMPv6 type names (extensions/libip6t_icmp6.c). */
export const ICMPV6_NAMES: Readonly<Record<string, readonly [number, number?]>> = {
  "destination-unreachable": [1],
  "no-route": [1, 0],
  "communication-prohibited": [1, 1],
  "beyond-scope": [1, 2],
  "address-unreachable": [1, 3],
  "port-unreachable": [1, 4],
  "failed-policy": [1, 5],
  "reject-route": [1, 6],
  "packet-too-big": [2],
  "time-exceeded": [3],
  "ttl-exceeded": [3],
  "ttl-zero-during-transit": [3, 0],
  "ttl-zero-during-reassembly": [3, 1],
  "parameter-problem": [4],
  "bad-header": [4, 0],
  "unknown-header-type": [4, 1],
  "unknown-option": [4, 2],
  "echo-request": [128],
  ping: [128],
  "echo-reply": [129],
  pong: [129],
  "mld-listener-query": [130],
  "mld-listener-report": [131],
  "mld-listener-done": [132],
  "mld-listener-reduction": [132],
  "router-solicitation": [133],
  "router-advertisement": [134],
  "neighbour-solicitation": [135],
  "neighbor-solicitation": [135],
  "neighbour-advertisement": [136],
  "neighbor-advertisement": [136],
  redirect: [137],
};

/** `--icmp-type` value: `8`, `8/0` or a name; undefined for `any` or something unreadable. */
export const icmpTypeCode = (word: string, version: 4 | 6): { type: number; code?: number } | undefined => {
  const m = /^(\d{1,3})(?:\/(\d{1,3}))?$/.exec(word);
  if (m !== null) {
    const type = Number(m[1]);
    if (type > 255) return undefined;
    if (m[2] === undefined) return { type };
    const code = Number(m[2]);
    return code > 255 ? undefined : { type, code };
  }
  const named = (version === 4 ? ICMP_NAMES : ICMPV6_NAMES)[word];
  if (named === undefined) return undefined;
  const [type, code] = named;
  return code === undefined ? { type } : { type, code };
};
