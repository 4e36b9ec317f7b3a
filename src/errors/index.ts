export { ProblemError } from "./problem-error.js";
export { notFoundHandler, onError } from "./handlers.js";
export { AUTH_REALM, problemInstance, problemResponse } from "./problem.js";
export { methodIndex } from "./routes-index.js";
