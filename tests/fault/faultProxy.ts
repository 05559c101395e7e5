/**
 * A TCP proxy between sync clients and the real server that a test controls: take the
 * network down, drop open sockets, delay traffic, answer new HTTP requests with 503,
 * swallow connections without answering (timeouts), or slip frames of its own into
 * the server's WebSocket stream (bad input that looks as if the server sent it).
 * Loopback only.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { WsFrameSplitter, textFrame } from './wsFrames.js';

export type Fault = 'none' | 'down' | 'blackhole';

/** What the proxy has seen of one sync socket, for building frames that fit it. */
export interface SocketView {
  /** The server's latest `currentRevision` on this socket (null before the first `changes`). */
  revision: number | string | null;
  /** Record keys the server has sent on this socket. */
  keys: Set<string>;
}

/** A sync socket the proxy forwards, with a way to add frames to the server's stream. */
interface SyncSocketPipe {
  view: SocketView;
  inject(payload: string): void;
}

export class FaultProxy {
  /** What new connections meet. */
  fault: Fault = 'none';
  /** Delay added to every chunk in both directions (ms). */
  delayMs = 0;
  /** The next N plain HTTP requests (not socket upgrades) get a 503. */
  fail5xx = 0;
  readonly stats = { connections: 0, refused: 0, injected503: 0, dropped: 0, injectedFrames: 0 };
  private readonly sockets = new Set<Socket>();
  private readonly syncSockets = new Set<SyncSocketPipe>();
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

  /**
   * Sends a frame, as if from the server, to every sync socket that has received
   * `changes` (so the client is subscribed), after what the server already sent.
   * Returns how many sockets got it.
   */
  injectFrame(build: (view: SocketView) => string): number {
    let count = 0;
    for (const pipe of this.syncSockets) {
      if (pipe.view.revision === null) continue;
      pipe.inject(build(pipe.view));
      count += 1;
    }
    this.stats.injectedFrames += count;
    return count;
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
      const toServer = this.forwarder(upstream);
      // Sockets through the proxy stay uncompressed, so it can read and add frames.
      toServer(isUpgrade ? withoutExtensions(first) : first);
      client.on('data', toServer);
      if (isUpgrade) this.pipeSyncSocket(upstream, client);
      else upstream.on('data', this.forwarder(client));
    });
  }

  /**
   * The server's side of a sync socket: forwarded whole frames at a time (so a frame
   * of ours never lands inside one of the server's), read on the way to learn the
   * current revision and the keys in play.
   */
  private pipeSyncSocket(upstream: Socket, client: Socket): void {
    const forward = this.forwarder(client);
    const view: SocketView = { revision: null, keys: new Set() };
    const splitter = new WsFrameSplitter();
    const pipe: SyncSocketPipe = { view, inject: (payload) => forward(textFrame(payload)) };
    this.syncSockets.add(pipe);
    client.on('close', () => this.syncSockets.delete(pipe));
    upstream.on('data', (chunk: Buffer) => {
      for (const piece of splitter.push(chunk)) {
        forward(piece.bytes);
        if (piece.text !== undefined) learn(view, piece.text);
      }
    });
  }

  /** A function that writes chunks to `to`, in order, each after the current delay. */
  private forwarder(to: Socket): (chunk: Buffer) => void {
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
    return forward;
  }
}

/** The upgrade request without `Sec-WebSocket-Extensions` (no permessage-deflate offer). */
function withoutExtensions(request: Buffer): Buffer {
  const text = request.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return request; // the head is split across chunks: leave it
  const head = text.slice(0, end).replace(/\r\nsec-websocket-extensions:[^\r]*/gi, '');
  return Buffer.concat([Buffer.from(head, 'latin1'), request.subarray(end)]);
}

function learn(view: SocketView, text: string): void {
  try {
    const frame = JSON.parse(text) as { type?: string; currentRevision?: number | string; changes?: Array<{ key?: unknown }> };
    if (frame.type !== 'changes') return;
    if (frame.currentRevision !== undefined) view.revision = frame.currentRevision;
    for (const c of frame.changes ?? []) if (typeof c.key === 'string') view.keys.add(c.key);
  } catch {
    // Not ours to judge: the client sees the same bytes.
  }
}
