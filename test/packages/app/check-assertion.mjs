// The relying party's backend check, as an app's server runs it: plain Node, the installed package.
import { FaceAssertionError, memoryReplayStore, verifyFaceAssertion } from "@facegate/relying-party";

const [assertion, nonce, jwksUrl, issuer, audience] = process.argv.slice(2);
const replayStore = memoryReplayStore();
const opts = { issuer, jwksUrl, audience, tenant: "default", nonce, subject: "alice", replayStore };
const claims = await verifyFaceAssertion(assertion, opts);
let replay = null;
try {
  await verifyFaceAssertion(assertion, opts);
} catch (e) {
  replay = e instanceof FaceAssertionError ? e.code : String(e);
}
console.log(JSON.stringify({ sub: claims.sub, amr: claims.amr, nonce: claims.nonce, replay }));
