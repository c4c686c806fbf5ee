// Shapes shared by every kind: the resource envelope, metadata, string maps.

import { z } from "zod";

export const stringMap = z.record(z.string(), z.string());

/** Calico's int-or-string fields (protocols, ports). The value is checked later. */
export const numOrString = z.union([z.number(), z.string()]);

/** Top level of one resource. apiVersion and kind may be missing on items of an XList. */
export const envelopeSchema = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.unknown(),
  spec: z.unknown().optional(),
  status: z.unknown().optional(),
});

const ignored = z.unknown().optional();

/** ObjectMeta. Server-populated fields (as calicoctl and kubectl print them) are accepted and dropped. */
export const metadataSchema = z.strictObject({
  name: z.string(),
  namespace: z.string().optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  uid: ignored,
  resourceVersion: ignored,
  creationTimestamp: ignored,
  deletionTimestamp: ignored,
  deletionGracePeriodSeconds: ignored,
  generation: ignored,
  generateName: ignored,
  managedFields: ignored,
  selfLink: ignored,
  finalizers: ignored,
  ownerReferences: ignored,
});

export type MetadataShape = z.output<typeof metadataSchema>;
