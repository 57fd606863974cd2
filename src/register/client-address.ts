/**
 * The client address a failure is counted against. `X-Forwarded-For` is written by the client first and
 * then appended to by each proxy, so only the entries the trusted proxies appended can be believed:
 * with `hops` trusted proxies in front (1 for Cloud Run and Cloud Functions, 2 behind an external load
 * balancer), the client is the `hops`-th entry from the right. Taking the leftmost entry (as Express's
 * `req.ip` does with `trust proxy` on) would let an attacker pick a fresh address for every attempt.
 */
import type { IncomingMessage } from 'node:http';

export function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>, hops: number): string {
  const peer = req.socket?.remoteAddress ?? 'unknown';
  if (hops <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const entries = (Array.isArray(header) ? header.join(',') : header ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  // Fewer entries than trusted proxies: the request did not come through them; the peer is all we know.
  return entries.length >= hops ? entries[entries.length - hops] : peer;
}
