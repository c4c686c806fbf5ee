// Shape of a Calico v3 Rule (api/pkg/apis/projectcalico/v3/policy_common.go).

import { z } from "zod";
import { numOrString, stringMap } from "./common.js";

export const ACTIONS = ["Allow", "Deny", "Log", "Pass"] as const;

const selector = z.string().max(1024);

const icmpSchema = z.strictObject({
  type: z.int().min(0).max(254).optional(),
  code: z.int().min(0).max(255).optional(),
});

export const entityRuleSchema = z.strictObject({
  nets: z.array(z.string()).max(256).optional(),
  notNets: z.array(z.string()).max(256).optional(),
  selector: selector.optional(),
  notSelector: selector.optional(),
  namespaceSelector: selector.optional(),
  ports: z.array(numOrString).max(50).optional(),
  notPorts: z.array(numOrString).max(50).optional(),
  serviceAccounts: z
    .strictObject({ names: z.array(z.string()).optional(), selector: selector.optional() })
    .optional(),
  services: z.strictObject({ name: z.string().optional(), namespace: z.string().optional() }).optional(),
});

/** `action` is required; it is optional here so that a rule without one still gets checked. */
export const ruleSchema = z.strictObject({
  action: z.enum(ACTIONS).optional(),
  ipVersion: z.literal([4, 6]).optional(),
  protocol: numOrString.optional(),
  notProtocol: numOrString.optional(),
  icmp: icmpSchema.optional(),
  notICMP: icmpSchema.optional(),
  source: entityRuleSchema.optional(),
  destination: entityRuleSchema.optional(),
  http: z.unknown().optional(),
  metadata: z.strictObject({ annotations: stringMap.optional() }).optional(),
});

export type RuleShape = z.output<typeof ruleSchema>;
export type EntityRuleShape = z.output<typeof entityRuleSchema>;
