// The Docker side of the container conformance suite: names, labels, the node image, and removal by exact
// name. Every container and network calisim creates is named "calisim-<random hex>" and labelled
// org.calisim.suite=containers, so scripts/container-cleanup.sh can find leftovers after a crash (Ryuk,
// testcontainers' reaper, needs a registry and is disabled).

import { randomBytes } from "node:crypto";
import { getContainerRuntimeClient, ImageName, type ContainerRuntimeClient } from "testcontainers";

export const NAME_PREFIX = "calisim-";
export const SUITE_LABEL = "org.calisim.suite";
export const SUITE_LABELS: Readonly<Record<string, string>> = { [SUITE_LABEL]: "containers" };

/** Environment variable naming the node image; scripts/container-setup.sh --env prints it. */
export const IMAGE_ENV = "CALISIM_NODE_IMAGE";
export const DEFAULT_IMAGE = "calisim-node:latest";
export const nodeImage = (): string => process.env[IMAGE_ENV] ?? DEFAULT_IMAGE;

/** The binaries a node container must have (docker/packages.txt). */
export const REQUIRED_TOOLS = [
  "ip",
  "ipset",
  "iptables-nft-restore",
  "ip6tables-nft-restore",
  "iptables-legacy-restore",
  "ip6tables-legacy-restore",
  "nc",
  "socat",
  "ss",
  "conntrack",
  "setsid",
  "mount",
] as const;

export const randomName = (): string => `${NAME_PREFIX}${randomBytes(6).toString("hex")}`;

const assertOurs = (name: string): void => {
  if (!/^calisim-[A-Za-z0-9_.-]+$/.test(name))
    throw new Error(`bug: refusing to touch ${name}: not calisim's`);
};

/**
 * testcontainers settings this suite needs on a machine without a registry, set only when unset:
 * TESTCONTAINERS_RYUK_DISABLED=true (Ryuk's image cannot be pulled; we clean up by name instead) and
 * TESTCONTAINERS_HOST_OVERRIDE=localhost (skips a helper-image pull when the process runs inside a
 * container). Both are read when used, so calling this before the first container starts is enough.
 */
export const prepareTestcontainersEnv = (): void => {
  process.env["TESTCONTAINERS_RYUK_DISABLED"] ??= "true";
  process.env["TESTCONTAINERS_HOST_OVERRIDE"] ??= "localhost";
};

let client: Promise<ContainerRuntimeClient> | undefined;

/** The shared testcontainers runtime client (prepares the environment first). */
export const runtimeClient = (): Promise<ContainerRuntimeClient> => {
  prepareTestcontainersEnv();
  client ??= getContainerRuntimeClient();
  return client;
};

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });

export type DockerStatus =
  | { readonly ok: true; readonly image: string; readonly serverVersion: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Whether the container suite can run: a reachable Docker daemon and the node image present locally
 * (the suite never pulls). `reason` says what is missing and how to fix it.
 */
export const dockerStatus = async (image = nodeImage()): Promise<DockerStatus> => {
  let c: ContainerRuntimeClient;
  try {
    c = await withTimeout(runtimeClient(), 20_000, "the Docker daemon");
  } catch (e) {
    client = undefined;
    return {
      ok: false,
      reason: `no Docker daemon reachable (${errorText(e)}); run scripts/container-setup.sh as root, or start Docker`,
    };
  }
  let present: boolean;
  try {
    present = await c.image.exists(ImageName.fromString(image));
  } catch (e) {
    return { ok: false, reason: `cannot inspect image ${image}: ${errorText(e)}` };
  }
  if (!present)
    return {
      ok: false,
      reason: `image ${image} is missing; build it with scripts/container-image.sh (no registry needed) or scripts/container-image.sh --dockerfile`,
    };
  // info.containerRuntime.serverVersion is a float ("20.10.24" reads as 20.1); ask the daemon instead.
  const version = await c.container.dockerode.version().then(
    (v) => v.Version,
    () => String(c.info.containerRuntime.serverVersion),
  );
  return { ok: true, image, serverVersion: version };
};

const isNotFound = (e: unknown): boolean => {
  const code = (e as { statusCode?: unknown }).statusCode;
  return code === 404 || /no such (container|network)|not found/i.test(errorText(e));
};

/** Force-removes a calisim container (and its anonymous volumes) by exact name; missing is fine. */
export const removeContainerByName = async (name: string): Promise<void> => {
  assertOurs(name);
  const c = await runtimeClient();
  try {
    await c.container.dockerode.getContainer(name).remove({ force: true, v: true });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
};

/** Removes a calisim network by exact name, force-disconnecting stale endpoints first; missing is fine. */
export const removeNetworkByName = async (name: string): Promise<void> => {
  assertOurs(name);
  const c = await runtimeClient();
  const net = c.container.dockerode.getNetwork(name);
  try {
    const info = (await net.inspect()) as { Containers?: Record<string, { Name?: string }> };
    for (const ep of Object.values(info.Containers ?? {}))
      if (ep.Name !== undefined) await net.disconnect({ Container: ep.Name, Force: true }).catch(() => {});
    await net.remove();
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
};
