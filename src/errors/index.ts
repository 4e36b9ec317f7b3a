export { notFoundHandler, onError } from "./handlers.js";
export { methodIndex } from "./routes-index.js";
