import { PROBLEM_CONTENT_TYPE, problemCodeOf, type ProblemDetails } from "../../../src/protocol/problems.js";
import { ApiError, NetworkError } from "../errors.js";

export type TokenSource = string | (() => string | Promise<string>);

/** Where the API is and how to authenticate to it. */
export interface FacegateApiOptions {
  /** The facegate worker, e.g. `https://faces.example.com`. */
  baseUrl: string;
  getToken?: TokenSource;
  /** Injected for tests and non-standard runtimes; defaults to globalThis.fetch. */
  fetch?: typeof fetch;
}

/**
 * The one place the SDK talks HTTP: JSON in, JSON out, every problem+json
 * mapped to a typed ApiError, transport failures to NetworkError.
 */
export class HttpClient {
  readonly #base: string;
  readonly #getToken: TokenSource | undefined;
  readonly #fetch: typeof fetch;

  constructor(opts: FacegateApiOptions) {
    this.#base = opts.baseUrl.replace(/\/+$/, "");
    this.#getToken = opts.getToken;
    this.#fetch = opts.fetch ?? ((...args) => globalThis.fetch(...args));
  }

  async request<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown, { auth = true }: { auth?: boolean } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (auth) {
      const token = await this.#token();
      headers.authorization = `Bearer ${token}`;
    }
    let res: Response;
    try {
      res = await this.#fetch(this.#base + path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new NetworkError(`cannot reach ${this.#base}: ${(cause as Error).message}`, { cause });
    }
    if (res.ok) {
      if (res.status === 204) return undefined as T;
      try {
        return (await res.json()) as T;
      } catch (cause) {
        throw new NetworkError(`${method} ${path}: response is not JSON`, { cause });
      }
    }
    throw await toApiError(res, `${method} ${path}`);
  }

  async #token(): Promise<string> {
    const source = this.#getToken;
    if (source === undefined) throw new ApiError(401, "missing-token", null, "no access token: pass getToken");
    const token = typeof source === "string" ? source : await source();
    if (!token) throw new ApiError(401, "missing-token", null, "getToken returned no token");
    return token;
  }
}

async function toApiError(res: Response, what: string): Promise<ApiError> {
  const type = res.headers.get("content-type") ?? "";
  if (type.startsWith(PROBLEM_CONTENT_TYPE)) {
    try {
      const problem = (await res.json()) as ProblemDetails;
      const code = problemCodeOf(String(problem.type)) ?? "unknown";
      const detail = problem.detail ? `: ${problem.detail}` : "";
      const retry = res.headers.get("retry-after");
      if (retry && problem["retryAfter"] === undefined) problem["retryAfter"] = Number(retry);
      return new ApiError(res.status, code, problem, `${what} failed (${res.status} ${problem.title}${detail})`);
    } catch {
      // fall through: a problem body that is not JSON is not our API
    }
  }
  return new ApiError(res.status, "unknown", null, `${what} failed with HTTP ${res.status}`);
}
