// The same resources written in every accepted form load to the same cluster.

import test from "ava";
import { loadCluster } from "../../src/resources/index.js";
import { withoutProvenance } from "./helpers.js";

const FORMS = ["list", "calicoctl", "crd", "json"] as const;

const load = async (form: string) => loadCluster([`fixtures/forms/${form}`]);

test("the plain v3 form loads without issues", async (t) => {
  const { cluster, issues } = await load("v3");
  t.deepEqual(issues, []);
  t.is(cluster.policies.length, 2);
  t.is(cluster.hostEndpoints.length, 2);
});

for (const form of FORMS) {
  test(`${form} form gives the same cluster as the v3 form`, async (t) => {
    const reference = await load("v3");
    const { cluster, issues } = await load(form);
    t.deepEqual(issues, []);
    t.deepEqual(withoutProvenance(cluster), withoutProvenance(reference.cluster));
  });
}

test("CRD form: v3 labels come from the projectcalico.org/metadata annotation, which is dropped", async (t) => {
  const { cluster } = await load("crd");
  const hep = cluster.hostEndpoints.find((h) => h.metadata.name === "worker-eth0");
  t.deepEqual(hep?.metadata.labels, { role: "k8s-worker" });
  t.deepEqual(hep?.metadata.annotations, {});
});

test("CRD form: a default-tier policy loses the default. prefix of its CRD name", async (t) => {
  const { cluster } = await load("crd");
  t.deepEqual(
    cluster.policies.map((p) => `${p.spec.tier}/${p.metadata.name}`),
    ["default/allow-ssh", "security/security.block"],
  );
});

test("calicoctl list items without apiVersion and kind take them from the list", async (t) => {
  const { cluster } = await load("calicoctl");
  t.deepEqual(
    cluster.hostEndpoints.map((h) => h.metadata.name),
    ["worker-eth0", "worker-any"],
  );
});

test("JSON positions point into the JSON text", async (t) => {
  const { cluster } = await load("json");
  const hep = cluster.hostEndpoints.find((h) => h.metadata.name === "worker-eth0");
  t.is(hep?.source.file, "fixtures/forms/json/resources.json");
  t.true((hep?.positions["spec.interfaceName"]?.line ?? 0) > 1);
});
