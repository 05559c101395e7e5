/**
 * Seeded malformed input for the server: socket frames and REST requests built from
 * valid ones by mutation (wrong types, unknown names, non-ASCII and oversized text,
 * deep nesting, numbers JSON cannot carry, prototype keys, invalid UTF-8, raw garbage).
 */
import { CREATE, DELETE, UPDATE } from '../../src/protocol/socket.js';

type Random = () => number;

const int = (r: Random, n: number) => Math.floor(r() * n);
const pick = <T>(r: Random, xs: readonly T[]): T => xs[int(r, xs.length)]!;

const TEXTS = ['', 'x', 'é'.repeat(100), '表'.repeat(400), '🔑'.repeat(200), '\u0000', '\ud800', '__proto__', 'constructor', '../../etc/passwd', "' OR 1=1 --", 'projects', 'a'.repeat(5000)];
const NUMBERS = [0, -1, 1.5, 2 ** 53, -(2 ** 60), 1e308];

/** Any JSON-ish value, nested up to `depth`. */
function value(r: Random, depth = 0): unknown {
  const roll = int(r, depth > 3 ? 5 : 8);
  if (roll === 0) return null;
  if (roll === 1) return r() < 0.5;
  if (roll === 2) return pick(r, NUMBERS);
  if (roll === 3 || roll === 4) return pick(r, TEXTS);
  if (roll === 5) return Array.from({ length: int(r, 4) }, () => value(r, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = int(r, 4); i > 0; i--) {
    // defineProperty: a plain `obj['__proto__'] = v` would set the prototype, not a key.
    const key = pick(r, [...TEXTS, 'name', 'id', 'lastModified', 'components']);
    Object.defineProperty(obj, key, { value: value(r, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return obj;
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** A record of the app's schema with one part mutated. */
function record(r: Random, key: string): Record<string, unknown> {
  const base: Record<string, unknown> = { id: key, name: 'fuzz', type: 'project', lastModified: 1, modifiedBy: 'fuzz', components: {} };
  const field = pick(r, ['id', 'name', 'type', 'lastModified', 'components', 'deleted', 'generation', 'parentId', pick(r, TEXTS)]);
  base[field] = value(r);
  return base;
}

function change(r: Random): unknown {
  const key = r() < 0.7 ? `fz${int(r, 50)}` : (value(r) as string);
  const roll = int(r, 6);
  if (roll === 0) return { type: CREATE, table: 'projects', key, obj: record(r, String(key)) };
  if (roll === 1) return { type: UPDATE, table: 'projects', key, mods: { [pick(r, ['name', 'a.b', '__proto__.x', 'constructor.prototype.y', '', 'components.e'])]: value(r) } };
  if (roll === 2) return { type: DELETE, table: pick(r, ['projects', ...TEXTS]), key };
  if (roll === 3) return { type: pick(r, [0, 4, '1', null, 1.5]), table: 'projects', key, obj: record(r, String(key)) };
  if (roll === 4) return value(r);
  return { type: CREATE, table: pick(r, TEXTS), key, obj: value(r) };
}

/** One frame sent after identifying: a string, or raw bytes sent as a text frame. */
export function socketFrame(r: Random): string | Buffer {
  const roll = int(r, 12);
  if (roll === 0) return Buffer.from(Array.from({ length: 1 + int(r, 64) }, () => int(r, 256))); // garbage, usually invalid UTF-8
  if (roll === 1) return Buffer.concat([Buffer.from('{"type":"changes","x":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
  if (roll === 2) return `{"type":"${pick(r, TEXTS)}"}`;
  if (roll === 3) return nested(1 + int(r, 5000));
  if (roll === 4) return '{"type":"changes","changes":[{"type":1,"table":"projects","key":"n","obj":{"id":"n","lastModified":1e999}}],"requestId":1}';
  if (roll === 5) return JSON.stringify({ type: 'subscribe', syncedRevision: value(r) });
  if (roll === 6) return JSON.stringify({ type: 'clientIdentity', clientIdentity: value(r), authToken: value(r) });
  if (roll === 7) return JSON.stringify(value(r));
  if (roll === 8) return JSON.stringify({ type: 'tokenUpdate', authToken: value(r) });
  const changes = Array.from({ length: 1 + int(r, 4) }, () => change(r));
  return JSON.stringify({ type: 'changes', changes, partial: r() < 0.3 ? true : value(r), baseRevision: value(r), requestId: r() < 0.8 ? int(r, 100) : value(r) });
}

/** A first frame, for a socket that has not identified (tokens are forged or odd). */
export function identityFrame(r: Random, forgedToken: string): string {
  return JSON.stringify({ type: 'clientIdentity', clientIdentity: value(r), authToken: r() < 0.5 ? forgedToken : value(r), schema: value(r) });
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** Percent-encoded; a lone surrogate becomes the bytes of its (invalid) UTF-8 form. */
function encoded(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

/** A REST request; `tokens` are the attacker's own (valid) and a forged one. */
export function restRequest(r: Random, project: string, victimId: string, tokens: { own: string; forged: string }): FuzzRequest {
  const method = pick(r, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND']);
  const seg = () => encoded(pick(r, [...TEXTS, 'projects', 'p1', victimId, project, 'db', 'account']));
  const path = pick(r, [
    `/account/${project}/db/projects/${seg()}`,
    `/account/${project}/db/${seg()}`,
    `/project/${project}/db/${victimId}/projects`,
    `/project/${project}/db/${victimId}/projects/${seg()}`,
    `/project/${seg()}/schema`,
    `//${seg()}/${seg()}`,
    `/${seg()}/${seg()}/${seg()}`,
    `/auth/${pick(r, ['token', 'userInfo', 'authorize', seg()])}?${seg()}=${seg()}`,
    `/%${pick(r, ['', 'zz', 'e9', 'c3%28'])}`,
    `/account/${project}/db/projects/..%2f..%2f${seg()}`,
  ]);
  const auth = pick(r, [`Bearer ${tokens.own}`, `Bearer ${tokens.forged}`, '', 'Basic abc', `Bearer ${pick(r, TEXTS)}`]);
  const headers: Record<string, string> = { 'content-type': pick(r, ['application/json', 'application/x-www-form-urlencoded', 'text/plain']) };
  if (auth) headers.authorization = /^[\x20-\x7e]*$/.test(auth) ? auth : 'Bearer x'; // headers carry ASCII only
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'TRACE') return { method, path, headers };
  const roll = int(r, 5);
  const body =
    roll === 0
      ? Buffer.concat([Buffer.from('{"value":{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')])
      : roll === 1
        ? JSON.stringify({ value: record(r, `fz${int(r, 50)}`) })
        : roll === 2
          ? '{"value":{"lastModified":1e999}}'
          : roll === 3
            ? nested(1 + int(r, 3000))
            : JSON.stringify(r() < 0.5 ? { value: value(r) } : value(r));
  return { method, path, headers, body };
}
