import { fileURLToPath } from "node:url";

/** Repository root and the shared data sets (see ../shared/data/*\/README.md). */
export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const FACES = fileURLToPath(new URL("../../../shared/data/faces/", import.meta.url));

export const face = (rel: string) => FACES + rel;
