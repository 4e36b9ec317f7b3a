import { z } from "zod";
import { SubjectId } from "../protocol/schemas.js";

/** `{id}` in subject paths, validated with the shared SubjectId schema at the edge. */
export const SubjectParams = z.object({ id: SubjectId });
