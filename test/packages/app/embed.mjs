// Plain Node (no tsx, no bundler): the installed package's Node entry and its shipped models.
import { createFaceClient } from "@facegate/client";

const client = createFaceClient({ baseUrl: "http://127.0.0.1:1" });
const info = await client.loadModels();
const r = await client.embed(process.argv[2]);
let norm = 0;
for (const v of r.embedding) norm += v * v;
console.log(JSON.stringify({ provider: info.provider, modelId: r.modelId, length: r.embedding.length, norm: Math.sqrt(norm), quality: r.quality.score }));
