/**
 * Real `redis-server` processes for tests: one per call, on a port the OS gave us, keeping nothing on
 * disk; `stop()` and `start()` again on the same port simulate an outage. `startCluster` builds a
 * Redis Cluster of masters (slots split evenly) and waits until it reports `cluster_state:ok`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { freePort } from './ports';

export class RedisServer {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'aa-redis-'));

  private constructor(
    readonly port: number,
    private readonly extraArgs: string[],
  ) {}

  static async start(extraArgs: string[] = []): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), extraArgs);
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, ...this.extraArgs];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await canConnect(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`redis-server on ${this.port} did not start: ${output.slice(-500)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface RedisCluster {
  readonly nodes: RedisServer[];
  /** `host:port` of every node, as REDIS_CLUSTER_NODES takes them. */
  readonly addresses: string[];
  destroy(): Promise<void>;
}

/** Starts `size` masters, assigns the 16384 slots evenly, and waits for the cluster to be ok. */
export async function startCluster(size = 3): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  const busPorts: number[] = [];
  for (let i = 0; i < size; i++) {
    const busPort = await freePort();
    busPorts.push(busPort);
    nodes.push(
      await RedisServer.start(['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${i}.conf`, '--cluster-port', String(busPort), '--cluster-node-timeout', '2000']),
    );
  }
  const clients = await Promise.all(
    nodes.map(async (node) => {
      const client = createClient({ url: node.url });
      await client.connect();
      return client;
    }),
  );
  try {
    const per = Math.ceil(16384 / size);
    for (const [i, client] of clients.entries()) {
      await client.sendCommand(['CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(16383, (i + 1) * per - 1))]);
    }
    for (const [i, node] of nodes.entries()) {
      if (i > 0) await clients[0].sendCommand(['CLUSTER', 'MEET', '127.0.0.1', String(node.port), String(busPorts[i])]);
    }
    const deadline = Date.now() + 20_000;
    for (;;) {
      const infos = await Promise.all(clients.map((client) => client.sendCommand(['CLUSTER', 'INFO'])));
      if (infos.every((info) => String(info).includes('cluster_state:ok') && String(info).includes(`cluster_known_nodes:${size}`))) break;
      if (Date.now() > deadline) throw new Error('redis cluster did not become ok');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
  return {
    nodes,
    addresses: nodes.map((node) => `127.0.0.1:${node.port}`),
    destroy: async () => {
      await Promise.all(nodes.map((node) => node.destroy()));
    },
  };
}
