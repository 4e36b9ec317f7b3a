export { assertClient, assertMayActOn, assertScope, authenticate, requireScope } from "./middleware.js";
export { stepUpSatisfied } from "./step-up.js";
