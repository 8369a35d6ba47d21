/**
 * A quote server on 127.0.0.1 (random port) for the fetch tests: answers
 * `GET /quote?amount=N` with `{ data: { priceImpact, gas } }`, counts the requests in flight
 * (and the most ever), records every size asked and every header, and misbehaves on demand
 * per size and attempt (status, Retry-After, a raw body, a delay).
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Misbehaviour {
  status?: number;
  retryAfter?: string;
  /** Raw body instead of the JSON answer. */
  body?: string;
  /** Answer this late (ms). */
  delayMs?: number;
}

/** The true impact the server quotes: rising with size. */
export const impactOf = (size: number) => 0.0005 + size * 1e-8;

export interface QuoteServer {
  url: string;
  /** Sizes in the order they were asked (retries included). */
  asked: number[];
  headers: IncomingHttpHeaders[];
  maxInFlight: number;
  /** Per size: what the next requests get, one entry each (consumed); then normal answers. */
  plan: Map<number, Misbehaviour[]>;
  /** Every answer this late (ms). */
  delayMs: number;
  /** Override the quoted impact. */
  impact: (size: number) => number;
  /** Called for every request (e.g. to tell a test the fetch is under way). */
  onRequest?: (size: number) => void;
  close(): Promise<void>;
}

export async function startQuoteServer(): Promise<QuoteServer> {
  let inFlight = 0;
  const s: QuoteServer = {
    url: "",
    asked: [],
    headers: [],
    maxInFlight: 0,
    plan: new Map(),
    delayMs: 0,
    impact: impactOf,
    close: () => new Promise<void>((res) => (server.closeAllConnections(), server.close(() => res()))),
  };
  const server: Server = createServer((req, res) => {
    const size = Number(new URL(req.url ?? "/", "http://x").searchParams.get("amount"));
    s.asked.push(size);
    s.headers.push(req.headers);
    s.onRequest?.(size);
    const m: Misbehaviour = s.plan.get(size)?.shift() ?? {};
    inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, inFlight);
    const reply = () => {
      inFlight--;
      if (res.destroyed) return;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (m.retryAfter !== undefined) headers["retry-after"] = m.retryAfter;
      res.writeHead(m.status ?? 200, headers);
      res.end(m.body ?? JSON.stringify({ data: { priceImpact: s.impact(size), gas: 2 } }));
    };
    const delay = m.delayMs ?? s.delayMs;
    if (delay > 0) setTimeout(reply, delay);
    else reply();
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/quote?amount={size}`;
  return s;
}
