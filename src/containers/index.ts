// Container conformance: each Docker container is one Calico node. calisim renders a node's rules on this
// machine and loads them inside the container's own network namespace; real TCP handshakes between
// containers are then compared with the tracer's verdicts. Built on testcontainers (a devDependency:
// import this module dynamically, e.g. from `calisim conformance --containers`). See docker/README.md.

export {
  DEFAULT_IMAGE,
  IMAGE_ENV,
  NAME_PREFIX,
  SUITE_LABEL,
  SUITE_LABELS,
  dockerStatus,
  nodeImage,
  prepareTestcontainersEnv,
  randomName,
  removeContainerByName,
  removeNetworkByName,
  runtimeClient,
  type DockerStatus,
} from "./docker.js";
export { containerRunner } from "./runner.js";
export {
  CONTAINER_BACKENDS,
  applyRulesetsWith,
  iptablesTool,
  parseSaveCounters,
  readInterfaces,
  readKernelRules,
  resetFirewall,
  zeroCounters,
  type ContainerBackend,
  type KernelRule,
} from "./firewall.js";
export { createNodeNetwork, type NodeNetwork } from "./network.js";
export {
  ContainerNode,
  NODE_CAPABILITIES,
  NODE_INTERFACE,
  type ConnectResult,
  type StartNodeOptions,
} from "./node.js";
export {
  ContainerCluster,
  expectedAddresses,
  type ApplyOptions,
  type CounterCheck,
  type NodeSpec,
  type ProbeOutcome,
  type ProbeSpec,
  type RenderedNode,
  type Verdict,
} from "./cluster.js";
export {
  ContainersUnavailableError,
  formatConformance,
  formatOutcome,
  parseNodeSpec,
  parseProbe,
  runConformanceInContainers,
  type ConformanceNodeReport,
  type ConformanceOptions,
  type ConformanceReport,
} from "./conformance.js";
