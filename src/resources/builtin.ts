// Resources calisim supplies itself, as Calico does (libcalico-go/lib/resources/static.go).

import {
  DEFAULT_ALLOW_PROFILE,
  type EntityRule,
  type PolicyRule,
  type Profile,
  type SourcePos,
} from "./model.js";

const BUILTIN_SOURCE: SourcePos = { file: "<builtin>", line: 1, col: 1 };

const anyEntity: EntityRule = { nets: [], notNets: [], ports: [], notPorts: [] };

const allow: PolicyRule = { action: "Allow", source: anyEntity, destination: anyEntity, annotations: {} };

/** `projectcalico-default-allow`: allow everything in both directions. */
export const defaultAllowProfile: Profile = {
  kind: "Profile",
  metadata: { name: DEFAULT_ALLOW_PROFILE, labels: {}, annotations: {} },
  spec: { ingress: [allow], egress: [allow], labelsToApply: {} },
  builtin: true,
  source: BUILTIN_SOURCE,
  positions: {},
};
