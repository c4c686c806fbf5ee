// Shapes of each kind's spec. Rule lists stay unparsed here: each rule is shaped on its own so that
// one bad rule does not hide the problems of the others.

import { z } from "zod";
import { numOrString, stringMap } from "./common.js";

const rules = z.array(z.unknown()).max(1024).optional();
const selector = z.string().max(1024);

const policyCommon = {
  tier: z.string().optional(),
  order: z.number().optional(),
  selector: selector.optional(),
  serviceAccountSelector: selector.optional(),
  types: z
    .array(z.enum(["Ingress", "Egress"]))
    .min(1)
    .max(2)
    .optional(),
  ingress: rules,
  egress: rules,
  performanceHints: z.array(z.enum(["AssumeNeededOnEveryNode"])).optional(),
};

export const globalNetworkPolicySpecSchema = z.strictObject({
  ...policyCommon,
  namespaceSelector: selector.optional(),
  doNotTrack: z.boolean().optional(),
  preDNAT: z.boolean().optional(),
  applyOnForward: z.boolean().optional(),
});

export const networkPolicySpecSchema = z.strictObject(policyCommon);

export const hostEndpointSpecSchema = z.strictObject({
  node: z.string().max(253).optional(),
  interfaceName: z.string().optional(),
  expectedIPs: z.array(z.string()).optional(),
  profiles: z.array(z.string()).optional(),
  ports: z.array(z.unknown()).optional(),
});

/** One named port of a HostEndpoint, shaped on its own. */
export const endpointPortSchema = z.strictObject({
  name: z.string(),
  port: z.int().min(1).max(65535),
  protocol: numOrString,
});

export const profileSpecSchema = z.strictObject({
  ingress: rules,
  egress: rules,
  labelsToApply: stringMap.optional(),
});

export const tierSpecSchema = z.strictObject({
  order: z.number().optional(),
  defaultAction: z.enum(["Deny", "Pass"]).optional(),
});

export const globalNetworkSetSpecSchema = z.strictObject({
  nets: z.array(z.string()).optional(),
});

const failsafeList = z.array(z.unknown()).optional();

/** One failsafe entry (v3 ProtoPort), shaped on its own. */
export const protoPortSchema = z.strictObject({
  protocol: z.string().optional(),
  port: z.int().min(0).max(65535),
  net: z.string().optional(),
});

/** Only the fields calisim simulates; Felix has hundreds more, which are ignored. */
export const felixConfigurationSpecSchema = z.looseObject({
  failsafeInboundHostPorts: failsafeList,
  failsafeOutboundHostPorts: failsafeList,
  defaultEndpointToHostAction: z.string().optional(),
  interfacePrefix: z.string().optional(),
  logPrefix: z.string().optional(),
  iptablesFilterAllowAction: z.string().optional(),
  iptablesMangleAllowAction: z.string().optional(),
  iptablesFilterDenyAction: z.string().optional(),
  chainInsertMode: z.string().optional(),
  disableConntrackInvalidCheck: z.boolean().optional(),
  iptablesMarkMask: z.int().min(0).max(4294967295).optional(),
});

/** internalapi.NodeSpec (libcalico-go/lib/apis/internalapi/node.go); only addresses are used. */
export const nodeSpecSchema = z.strictObject({
  bgp: z
    .looseObject({
      ipv4Address: z.string().optional(),
      ipv6Address: z.string().optional(),
      asNumber: numOrString.optional(),
    })
    .optional(),
  addresses: z.array(z.looseObject({ address: z.string(), type: z.string().optional() })).optional(),
  ipv4VXLANTunnelAddr: z.unknown().optional(),
  ipv6VXLANTunnelAddr: z.unknown().optional(),
  vxlanTunnelMACAddr: z.unknown().optional(),
  vxlanTunnelMACAddrV6: z.unknown().optional(),
  orchRefs: z.unknown().optional(),
  wireguard: z.unknown().optional(),
  interfaces: z.unknown().optional(),
});
