/** Small helpers for `node:http`: JSON bodies with a size cap, JSON answers, CORS. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequest } from '../src/protocol/validate.js';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Errors carry `error` and `message`: the SDK reads either. */
export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message, message });
}

/**
 * CORS for the configured origins only (the app is served from another origin). Any
 * other origin, `null` included, gets no CORS headers, so browsers keep its pages from
 * reading the answers.
 */
export function allowCors(req: IncomingMessage, res: ServerResponse, allowed: ReadonlySet<string>): void {
  res.setHeader('vary', 'origin');
  const origin = req.headers.origin;
  if (!origin || !allowed.has(origin)) return;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
  res.setHeader('access-control-allow-headers', 'authorization, content-type');
  res.setHeader('access-control-max-age', '600');
}

/** Reads the whole body, refusing more than `maxBytes` (413) before buffering it. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new BadRequest(`body larger than ${maxBytes} bytes`, 413);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new BadRequest(`body larger than ${maxBytes} bytes`, 413);
    chunks.push(chunk);
  }
  try {
    return UTF8.decode(Buffer.concat(chunks));
  } catch {
    throw new BadRequest('body is not valid UTF-8');
  }
}

/** Strict: invalid UTF-8 is refused rather than stored as U+FFFD. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a JSON object body, whatever the content type says. With `acceptForm`
 * (the sign-in page's post) a form-encoded body is read as fields.
 */
export async function readObject(req: IncomingMessage, maxBytes: number, acceptForm = false): Promise<Record<string, unknown>> {
  const text = await readBody(req, maxBytes);
  if (acceptForm && (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequest('body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BadRequest('body must be a JSON object');
  return value as Record<string, unknown>;
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}
