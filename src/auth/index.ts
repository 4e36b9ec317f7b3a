export { assertMayActOn, assertScope, authenticate, requireScope } from "./middleware.js";
export { CLOCK_TOLERANCE_SECONDS, TOKEN_ALGORITHMS, verifyBearer } from "./verify-token.js";
