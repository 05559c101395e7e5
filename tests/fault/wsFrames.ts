/**
 * Just enough of RFC 6455 for the fault proxy: split the server's side of a
 * WebSocket connection into whole frames, and build a frame of our own.
 * Server frames are never masked; a payload with RSV1 set is compressed and left unread.
 */

/** One piece of the server's byte stream: the HTTP upgrade answer or one whole frame. */
export interface StreamPiece {
  bytes: Buffer;
  /** The payload of an unfragmented, uncompressed text frame. */
  text?: string;
}

export class WsFrameSplitter {
  private buffer: Buffer = Buffer.alloc(0);
  private upgraded = false;

  /** Adds bytes from the server; returns every piece now complete, in order. */
  push(chunk: Buffer): StreamPiece[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const pieces: StreamPiece[] = [];
    for (;;) {
      const piece = this.upgraded ? this.nextFrame() : this.nextHead();
      if (!piece) return pieces;
      pieces.push(piece);
    }
  }

  private nextHead(): StreamPiece | null {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return null;
    this.upgraded = true;
    return this.take(end + 4);
  }

  private nextFrame(): StreamPiece | null {
    const b = this.buffer;
    if (b.length < 2) return null;
    let length = b[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return null;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return null;
      length = Number(b.readBigUInt64BE(2));
      offset = 10;
    }
    if (b[1]! & 0x80) offset += 4; // masked (a server must not, but keep framing right)
    if (b.length < offset + length) return null;
    const fin = (b[0]! & 0x80) !== 0;
    const compressed = (b[0]! & 0x40) !== 0;
    const opcode = b[0]! & 0x0f;
    const piece = this.take(offset + length);
    if (fin && !compressed && opcode === 1 && !(b[1]! & 0x80)) piece.text = piece.bytes.subarray(offset).toString('utf8');
    return piece;
  }

  private take(n: number): StreamPiece {
    const bytes = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return { bytes };
  }
}

/** An unmasked, unfragmented text frame, as a server sends it. */
export function textFrame(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  const n = body.length;
  const head = n < 126 ? Buffer.from([0x81, n]) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (n >= 126 && n < 65536) {
    head[0] = 0x81;
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else if (n >= 65536) {
    head[0] = 0x81;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, body]);
}
