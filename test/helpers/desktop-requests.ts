/**
 * What an agent desktop sends to the proxy and the conversation-name API, for tests: raw HTTP requests
 * (node:http, so a path like `/a/../b` reaches the server exactly as written, unlike fetch, which
 * normalizes it), JWT settings, and the tokens that must all be refused.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { once } from 'node:events';
import { signToken, type JwtSettings } from '../../src/auth/jwt';
import { forgeries, type Forgery } from './forgeries';

export const PROJECT = 'test-project';

/** JWT settings of the server under test. */
export const JWT: JwtSettings = Object.freeze({
  keys: [{ kid: 'k1', secret: Buffer.from('proxy-test-secret-that-is-long-enough-0123456789') }],
  issuer: 'agent-assist-backend',
  audience: 'agent-assist-desktop',
  projectId: PROJECT,
  lifetimeMinutes: 60,
  clockToleranceSeconds: 5,
});

/** A valid token for the server under test. */
export function validToken(settings: JwtSettings = JWT): string {
  return signToken(settings, 'agent-1').token;
}

/** Tokens the server must refuse with 401: the project's forgery table (test/helpers/forgeries.ts). */
export function forgedTokens(settings: JwtSettings = JWT): Forgery[] {
  return forgeries(settings);
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** Sends one request with the path exactly as given; resolves with status, headers and body text. */
export async function rawRequest(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const url = new URL(base);
  const req = request({ host: url.hostname, port: url.port, method, path, headers: { ...options.headers, ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }) } });
  req.end(options.body);
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') };
}

/** Listens on a free loopback port; resolves with the base URL. */
export async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
