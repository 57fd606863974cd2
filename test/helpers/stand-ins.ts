/**
 * Local HTTP servers that stand in for identity providers (Salesforce, Genesys Cloud, Twilio) in tests:
 * each answers from a function the test gives it, records what it was asked, and can hold a request
 * without answering (a slow provider) until it is stopped. Beside them, the registration functions
 * served as the functions-framework serves them, and a small client for them.
 */
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { JwtSettings } from '../../src/auth/jwt';
import { loadJwtSettings } from '../../src/auth/jwt-config';
import type { Env } from '../../src/config/settings';
import { createRegistrationFunctions } from '../../src/app/functions/register';
import { freePort } from './ports';

export interface SeenRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What the stand-in answers: a status and JSON body, or `hold` to never answer. */
export type Answer = { status: number; json?: unknown } | 'hold';

export class StandIn {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** Every request received, oldest first. */
    readonly requests: SeenRequest[],
  ) {}

  static async start(answer: (request: SeenRequest) => Answer): Promise<StandIn> {
    const requests: SeenRequest[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        requests.push(seen);
        const reply = answer(seen);
        if (reply === 'hold') return;
        const body = reply.json === undefined ? '' : JSON.stringify(reply.json);
        res.writeHead(reply.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return new StandIn(server, `http://127.0.0.1:${port}`, requests);
  }

  /** Stops listening and drops every connection, held ones included. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

/** The URL of a loopback port nothing listens on (a provider that is down). */
export async function downUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/** The registration functions as deployed, each test with its own environment, on a free port. */
export interface RunningFunctions {
  /** Base URL of the `register` function (its refresh path is `${register}/refresh`). */
  readonly register: string;
  /** Base URL of the `registerApp` function. */
  readonly registerApp: string;
  /** The JWT settings the functions sign with (same environment, loaded alike). */
  jwt(): Promise<JwtSettings>;
  close(): Promise<void>;
}

export const FUNCTION_SECRET = 'functions-test-secret-0123456789-0123456789';
let registered = 0;

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** Registers fresh `register`/`registerApp` functions under unique names and serves them as the runtime does. */
export async function startRegistrationFunctions(env: Env): Promise<RunningFunctions> {
  const full: Env = { GCP_PROJECT_ID: 'test-project', JWT_SECRET: FUNCTION_SECRET, JWT_SECRET_PATH: '/nonexistent/jwt_secret_key', AUTH_TRUSTED_PROXY_HOPS: '0', ...env };
  const functions = createRegistrationFunctions(() => full);
  const name = `registerUnderTest${++registered}`;
  http(name, functions.register);
  http(`${name}App`, functions.registerApp);
  const servers = [getTestServer(name), getTestServer(`${name}App`)];
  const [register, registerApp] = await Promise.all(servers.map(listen));
  return {
    register,
    registerApp,
    jwt: () => loadJwtSettings(full),
    async close() {
      await Promise.all(
        servers.map((server) => {
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeAllConnections();
          return closed;
        }),
      );
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
}

/** POSTs to a registration URL: `token` in Authorization (raw), `body` as JSON unless given as a string. */
export async function post(url: string, options: { token?: string; body?: unknown; headers?: Record<string, string>; method?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.Authorization = options.token;
  let body: string | undefined;
  if (typeof options.body === 'string') body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(url, { method: options.method ?? 'POST', headers, body });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    json = { text };
  }
  return { status: response.status, headers: response.headers, json };
}
