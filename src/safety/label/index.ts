// Editing a resource's labels in its file, in place, keeping comments and order (what `calicoctl label`
// does to the datastore, done to resource files).
//
//   const arg = parseLabelArg("host-endpoint-upgrade=");
//   const r = labelFileText(path, text, { kind: "HostEndpoint", name: "node-3-all", label: arg.value, overwrite: false });

export {
  editLabelMap,
  labelFileText,
  type LabelChange,
  type LabelRequest,
  type LabelResult,
} from "./edit.js";
export { parseLabelArg, type LabelArg } from "./validate.js";
