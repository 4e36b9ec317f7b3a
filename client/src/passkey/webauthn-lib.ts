/**
 * The one module that imports @simplewebauthn/browser: browser.ts loads it
 * with a dynamic import, so the bundler makes it a chunk of its own
 * (webauthn-lib-*.js) that only a tenant with a device policy fetches.
 */
export { startAuthentication, startRegistration } from "@simplewebauthn/browser";
