// Calico's label selector language: parse, evaluate, print canonically (as Felix does).

export type {
  AllNode,
  AndNode,
  GlobalNode,
  HasNode,
  NotNode,
  Operands,
  OrNode,
  Selector,
  SelectorError,
  SetNode,
  SetOp,
  ValueNode,
  ValueOp,
} from "./ast.js";
export {
  allNode,
  andNode,
  compareCodePoints,
  globalNode,
  hasNode,
  notNode,
  orNode,
  setNode,
  valueNode,
} from "./ast.js";
export { matchesSelector } from "./evaluate.js";
export { selectorUniqueId } from "./id.js";
export { selectorLabelKeys } from "./keys.js";
export { isValidLabelKey, MAX_LABEL_LENGTH } from "./lexer.js";
export { parseSelector } from "./parser.js";
export { printSelector } from "./print.js";
