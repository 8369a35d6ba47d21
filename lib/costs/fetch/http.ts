/**
 * One GET with Node's own fetch (undici): a JSON document, or a failure saying whether
 * another try may help (429, 5xx, a timeout, a dropped connection) and when the server
 * wants it (`Retry-After`).
 */
import { isRetryableStatus, parseRetryAfter } from "./backoff";

export type HttpResult =
  | { ok: true; doc: unknown }
  | { ok: false; retryable: boolean; reason: string; retryAfterMs?: number };

/** Bytes of an answer quoted in an error: enough to recognise it, not a page of HTML. */
const SNIPPET = 60;

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, " ").trim();
  return JSON.stringify(flat.length > SNIPPET ? flat.slice(0, SNIPPET) + "..." : flat);
}

export async function getJson(url: string, headers: Record<string, string>, timeoutMs: number, nowMs: () => number): Promise<HttpResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  let status: number;
  let body: string;
  let retryAfter: string | null;
  try {
    // No redirects: a header secret must not follow a quote request to another host.
    const res = await fetch(url, { headers: { accept: "application/json", ...headers }, signal, redirect: "manual" });
    status = res.status;
    retryAfter = res.headers.get("retry-after");
    body = await res.text();
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === "TimeoutError" || signal.aborted) return { ok: false, retryable: true, reason: `no answer within ${timeoutMs} ms (timeout)` };
    // Connection refused or reset, DNS: the network, not the request, failed.
    const cause = err.cause?.code ?? err.cause?.message ?? err.message;
    return { ok: false, retryable: true, reason: `request failed (${cause})` };
  }
  if (status < 200 || status > 299) {
    const retryAfterMs = parseRetryAfter(retryAfter, nowMs());
    const moved = status >= 300 && status < 400 ? ` (a redirect, not followed: use the final URL in --url)` : "";
    return { ok: false, retryable: isRetryableStatus(status), reason: `HTTP ${status}${moved}${body.trim() && !moved ? ` ${snippet(body)}` : ""}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  try {
    return { ok: true, doc: JSON.parse(body) };
  } catch {
    return { ok: false, retryable: false, reason: `the answer is not JSON: ${snippet(body)}` };
  }
}
