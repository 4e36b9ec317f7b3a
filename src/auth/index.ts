export { assertClient, assertMayActOn, assertScope, authenticate, requireScope } from "./middleware.js";
export { CLOCK_TOLERANCE_SECONDS, TOKEN_ALGORITHMS, verifyBearer } from "./verify-token.js";
export { stepUpSatisfied } from "./step-up.js";
