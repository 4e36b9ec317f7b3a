/** The format's constants, apart from its zod schemas (format.ts) so that code running in Hermes needs no zod. */
export const FORMAT = "facegate-conformance/1";

/** Side of the aligned crop's thumbnail: 8x8 means of 14x14-pixel blocks, too coarse to show a face. */
export const THUMBNAIL_SIDE = 8;
