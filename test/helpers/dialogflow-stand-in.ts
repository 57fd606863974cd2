/**
 * A local HTTP server standing in for the Dialogflow REST API (v2 and v2beta1 alike). It records every
 * request it receives (method, raw URL, headers, body) and answers the way the API does:
 * - `POST .../conversations` creates a conversation (`{name, lifecycleState, conversationProfile, startTime}`);
 * - `POST .../participants` creates a participant; `POST ...:analyzeContent` returns the message;
 * - `POST ...:complete` completes a conversation;
 * - a conversation id of `missing` answers Google's error shape with 404 NOT_FOUND;
 * - a conversation id of `slow` answers after `slowMs`; `gzipped` answers gzip-encoded;
 * - anything else answers 200 with `{name}` (the resource path) and a header the proxy must not pass on.
 * `onRequest` lets a test act on a call (the smoke test publishes Pub/Sub-like events from it).
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

export interface ReceivedCall {
  readonly method: string;
  /** The request target exactly as received: path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export class DialogflowStandIn {
  readonly received: ReceivedCall[] = [];
  /** How long the `slow` conversation takes to answer. */
  slowMs = 5_000;
  onRequest?: (call: ReceivedCall) => void | Promise<void>;
  private counter = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<DialogflowStandIn> {
    const server = createServer();
    const standIn = new DialogflowStandIn(server);
    server.on('request', (req, res) => void standIn.handle(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return standIn;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Forgets what was received. */
  reset(): void {
    this.received.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const call: ReceivedCall = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    this.received.push(call);
    await this.onRequest?.(call);

    const path = call.url.split('?')[0];
    const resource = path.replace(/^\/v[^/]+\//, '');
    const body = call.body === '' ? {} : (JSON.parse(call.body) as Record<string, unknown>);
    const json = (status: number, value: unknown, extra: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'x-stand-in': 'dialogflow', ...extra });
      res.end(JSON.stringify(value));
    };

    if (/\/conversations\/missing(\/|:|$)/.test(path)) {
      return json(404, { error: { code: 404, message: `Conversation ${resource} not found.`, status: 'NOT_FOUND' } });
    }
    if (/\/conversations\/slow(\/|:|$)/.test(path)) {
      const timer = setTimeout(() => json(200, { name: resource }), this.slowMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (/\/conversations\/gzipped(\/|:|$)/.test(path)) {
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ name: resource, compressed: true })));
      return;
    }
    this.counter += 1;
    const now = new Date().toISOString();
    if (call.method === 'POST' && /\/conversations$/.test(path)) {
      return json(200, { name: `${resource}/standin-${this.counter}`, lifecycleState: 'IN_PROGRESS', conversationProfile: body.conversationProfile, startTime: now });
    }
    if (call.method === 'POST' && /\/participants$/.test(path)) {
      return json(200, { name: `${resource}/p-${this.counter}`, role: body.role });
    }
    if (call.method === 'POST' && path.endsWith(':analyzeContent')) {
      const participant = resource.slice(0, -':analyzeContent'.length);
      const text = (body.textInput as { text?: string } | undefined)?.text ?? '';
      return json(200, { message: { name: `${participant.replace(/\/participants\/.*$/, '')}/messages/m-${this.counter}`, content: text, participant, createTime: now } });
    }
    if (call.method === 'POST' && path.endsWith(':complete')) {
      return json(200, { name: resource.slice(0, -':complete'.length), lifecycleState: 'COMPLETED', endTime: now });
    }
    return json(200, { name: resource }, { 'cache-control': 'private' });
  }
}
