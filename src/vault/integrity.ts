/**
 * Stored data that does not open: a wrapped key or sealed template that was
 * tampered with, copied from another subject, renamed, or whose KEK version is
 * gone. Never caused by a client; the request fails closed with a 500.
 */
export class IntegrityError extends Error {
  override name = "IntegrityError";
}
