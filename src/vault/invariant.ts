/**
 * A call the worker should never make: it checks what the vault relies on
 * (the subject it addresses, the model) before calling. Not a client's
 * doing, so it has no problem type: the RPC fails and the request answers
 * 500 `internal`.
 */
export class VaultInvariantError extends Error {
  override name = "VaultInvariantError";
}
