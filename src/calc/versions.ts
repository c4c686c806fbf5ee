// Every Calico-version-dependent fact calisim models lives in this table, so older releases can be
// added fact by fact. A fact is "verified" when checked in Calico's source or release docs, and
// "assumed" when it is our best reading; `calisim render --help` and the README list both.

export interface CalicoVersion {
  readonly major: number;
  readonly minor: number;
}

/** The Felix our reference documents: calico commit 87c15906 (master, v3.34.0-dev, Aug 2026). */
export const DEFAULT_CALICO_VERSION: CalicoVersion = { major: 3, minor: 34 };

/** Releases whose behaviour is modelled; any X.Y is accepted and mapped onto the facts below. */
export const MODELLED_VERSIONS = ["3.13", "3.14", "3.29", "3.31", "3.32", "3.34"] as const;

export interface VersionFacts {
  /**
   * `*` host endpoints take normal (and apply-on-forward) policy and drop by default. Before v3.14
   * they took only pre-DNAT policy and allowed everything else (Calico commit 79efdd9f77, #2228;
   * hostendpoints-upgrade.md). Verified.
   */
  readonly starEndpointNormalPolicy: boolean;
  /**
   * Policy chain names are `cali-pi-<kind short>/<name>` (e.g. `cali-pi-gnp/allow-ssh`) from v3.32
   * (felix/types/policy_id.go). Before, Felix keyed chains by `<tier>/<name>`. The older form is
   * assumed, not verified against a 3.29 node.
   */
  readonly policyChainKindPrefix: boolean;
}

export interface VersionFact {
  readonly key: keyof VersionFacts;
  readonly since: CalicoVersion;
  readonly status: "verified" | "assumed";
  readonly summary: string;
}

export const VERSION_FACTS: readonly VersionFact[] = [
  {
    key: "starEndpointNormalPolicy",
    since: { major: 3, minor: 14 },
    status: "verified",
    summary:
      'interfaceName "*" endpoints take normal policy and drop by default (before: pre-DNAT only, allow)',
  },
  {
    key: "policyChainKindPrefix",
    since: { major: 3, minor: 32 },
    status: "assumed",
    summary: "policy chains named cali-pi-gnp/<name> (before: cali-pi-<tier>/<name>)",
  },
];

const atLeast = (v: CalicoVersion, since: CalicoVersion): boolean =>
  v.major > since.major || (v.major === since.major && v.minor >= since.minor);

export const factsFor = (v: CalicoVersion): VersionFacts => {
  const entries = VERSION_FACTS.map((f) => [f.key, atLeast(v, f.since)] as const);
  return Object.fromEntries(entries) as unknown as VersionFacts;
};

/** Parses "3.14", "v3.14", "3.14.2". Returns undefined for anything else. */
export const parseCalicoVersion = (text: string): CalicoVersion | undefined => {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(text.trim());
  if (m === null) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
};

export const formatCalicoVersion = (v: CalicoVersion): string => `${v.major}.${v.minor}`;
