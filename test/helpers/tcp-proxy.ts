/**
 * A TCP pass-through in front of a server that can freeze the connections it carries: bytes stop
 * flowing both ways but no side sees a close, as when a laptop sleeps or a NAT drops its mapping.
 * Connections made after a freeze pass normally.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly pairs: Array<[Socket, Socket]>,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const pairs: Array<[Socket, Socket]> = [];
    const server = createServer((inbound) => {
      const outbound = connect(targetPort, '127.0.0.1');
      inbound.pipe(outbound);
      outbound.pipe(inbound);
      const end = (): void => {
        inbound.destroy();
        outbound.destroy();
      };
      inbound.on('error', end).on('close', end);
      outbound.on('error', end).on('close', end);
      pairs.push([inbound, outbound]);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return new TcpProxy(server, typeof address === 'object' && address ? address.port : 0, pairs);
  }

  /** Connections carried so far. */
  get connections(): number {
    return this.pairs.length;
  }

  /** Stops every current connection's bytes, leaving the sockets open. */
  freeze(): void {
    for (const [inbound, outbound] of this.pairs) {
      inbound.unpipe(outbound);
      outbound.unpipe(inbound);
      inbound.pause();
      outbound.pause();
    }
  }

  async close(): Promise<void> {
    for (const [inbound, outbound] of this.pairs) {
      inbound.destroy();
      outbound.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
