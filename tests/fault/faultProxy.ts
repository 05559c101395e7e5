/**
 * A TCP proxy between sync clients and the real server that a test controls: take the
 * network down, drop open sockets, delay traffic, answer new HTTP requests with 503,
 * or swallow connections without answering (timeouts). Loopback only.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type Fault = 'none' | 'down' | 'blackhole';

export class FaultProxy {
  /** What new connections meet. */
  fault: Fault = 'none';
  /** Delay added to every chunk in both directions (ms). */
  delayMs = 0;
  /** The next N plain HTTP requests (not socket upgrades) get a 503. */
  fail5xx = 0;
  readonly stats = { connections: 0, refused: 0, injected503: 0, dropped: 0 };
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  port = 0;

  private constructor(private readonly targetPort: number) {}

  static async start(targetPort: number): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetPort);
    proxy.server = createServer((socket) => proxy.accept(socket));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as { port: number }).port;
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Destroys every open connection (clients see their sockets drop). */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
    this.stats.dropped += this.sockets.size;
    this.sockets.clear();
  }

  /** Back to normal: no fault, no delay, no injected errors; swallowed connections are dropped. */
  heal(): void {
    this.fault = 'none';
    this.delayMs = 0;
    this.fail5xx = 0;
    this.dropAll();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.stats.connections += 1;
    if (this.fault === 'down') {
      this.stats.refused += 1;
      client.destroy();
      return;
    }
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    if (this.fault === 'blackhole') return; // read nothing, answer nothing

    client.once('data', (first: Buffer) => {
      const head = first.toString('latin1', 0, Math.min(first.length, 2048));
      const isUpgrade = /\r\nupgrade:\s*websocket/i.test(head);
      if (!isUpgrade && this.fail5xx > 0 && /^[A-Z]+ \//.test(head)) {
        this.fail5xx -= 1;
        this.stats.injected503 += 1;
        const body = '{"error":"injected 503","message":"injected 503"}';
        client.end(`HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
        return;
      }
      const upstream = connect(this.targetPort, '127.0.0.1');
      this.sockets.add(upstream);
      upstream.on('close', () => {
        this.sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      this.pipe(client, upstream, first);
      this.pipe(upstream, client);
    });
  }

  /** Forwards `from` to `to`, in order, each chunk after the current delay. */
  private pipe(from: Socket, to: Socket, first?: Buffer): void {
    let chain = Promise.resolve();
    const forward = (chunk: Buffer) => {
      const delay = this.delayMs;
      chain = chain.then(
        () =>
          new Promise<void>((resolve) => {
            const write = () => {
              if (!to.destroyed) to.write(chunk);
              resolve();
            };
            if (delay > 0) setTimeout(write, delay);
            else write();
          }),
      );
    };
    if (first) forward(first);
    from.on('data', forward);
  }
}
