/** Protocol limits, shared by the server's schemas and the client (no zod here: the browser bundle stays small). */

/** Largest embedding any manifest model may declare (floats). */
export const MAX_EMBEDDING_DIM = 1024;
/** Request bodies above this are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 16 * 1024;
/** Templates a subject may hold (more enrolls are refused with 409 `template-limit`). */
export const MAX_TEMPLATES_PER_SUBJECT = 5;
