import { describe, expect, it } from 'vitest';
import { CREATE, UPDATE } from '../../src/protocol/socket.js';
import { TestSocket, call, project, testServer } from '../helpers/server.js';

const P = 'basic-sync-demo';
const BASE = `/account/${P}/db/projects`;

describe('bad REST input gets a clear 4xx and changes nothing', () => {
  const cases: Array<[string, string, string, unknown, number, RegExp]> = [
    ['unknown table', 'PUT', `/account/${P}/db/nope/p1`, { value: { name: 'x' } }, 400, /unknown table/],
    ['unknown field', 'PUT', `${BASE}/p1`, { value: { name: 'x', colour: 'red' } }, 400, /unknown field "colour"/],
    ['wrong type (string field)', 'PUT', `${BASE}/p1`, { value: { name: 42 } }, 400, /name should be type string/],
    ['wrong type (json field)', 'PUT', `${BASE}/p1`, { value: { components: 'nope' } }, 400, /components should be type json/],
    ['null field', 'PUT', `${BASE}/p1`, { value: { name: null } }, 400, /null/],
    ['malformed JSON', 'PUT', `${BASE}/p1`, '{"value": {', 400, /not valid JSON/],
    ['body without value', 'PUT', `${BASE}/p1`, { name: 'x' }, 400, /\{ "value"/],
    ['array body', 'POST', BASE, [1, 2], 400, /JSON object/],
    ['body id differs from path', 'PUT', `${BASE}/p1`, { value: { id: 'p2', name: 'x' } }, 400, /differs/],
    ['__proto__ id', 'PUT', `${BASE}/__proto__`, { value: { name: 'x' } }, 400, /invalid record id/],
    ['constructor id', 'PUT', `${BASE}/constructor`, { value: { name: 'x' } }, 400, /invalid record id/],
    ['constructor field', 'PUT', `${BASE}/p1`, { value: { constructor: 'x' } }, 400, /forbidden key "constructor"/],
    ['__proto__ deep inside json', 'PUT', `${BASE}/p1`, '{"value":{"components":{"e":{"__proto__":{"polluted":true}}}}}', 400, /forbidden key "__proto__"/],
    ['constructor table', 'GET', `/account/${P}/db/constructor`, undefined, 400, /unknown table/],
    ['POST with id in path', 'POST', `${BASE}/p1`, { value: { name: 'x' } }, 405, /PUT/],
    ['PATCH of an unknown field', 'PATCH', `${BASE}/keep`, { value: { colour: 'red' } }, 400, /unknown field/],
    ['PATCH with a wrong type', 'PATCH', `${BASE}/keep`, { value: { lastModified: 'yesterday' } }, 400, /lastModified should be type number/],
    ['a number JSON cannot carry back (1e999)', 'PUT', `${BASE}/p1`, '{"value":{"name":"x","lastModified":1e999}}', 400, /lastModified is not a finite number/],
    ['1e999 deep inside json', 'PUT', `${BASE}/p1`, '{"value":{"components":{"e":{"n":-1e999}}}}', 400, /not a finite number/],
    ['a path starting with //', 'GET', `//${P}/db/projects`, undefined, 404, /no route/],
  ];

  it.each(cases)('%s', async (_name, method, path, body, status, message) => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    await call(server, access_token, 'PUT', `${BASE}/keep`, { value: project('keep') });
    const res = await call(server, access_token, method, path, body);
    expect(res.status).toBe(status);
    expect(res.body.message).toMatch(message);
    expect((await call(server, access_token, 'GET', BASE)).body.data).toEqual([project('keep')]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a body that is not valid UTF-8 instead of storing U+FFFD', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    const body = Buffer.concat([Buffer.from('{"value":{"name":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
    const res = await fetch(`${server.url}${BASE}/p1`, { method: 'PUT', headers: { authorization: `Bearer ${access_token}` }, body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe('body is not valid UTF-8');
    expect((await call(server, access_token, 'GET', BASE)).body.data).toEqual([]);
  });

  it('refuses oversized bodies with 413 before reading them', async () => {
    const server = await testServer({ maxBodyBytes: 1024 });
    const { access_token } = await server.issueTokens('alice');
    const res = await call(server, access_token, 'PUT', `${BASE}/big`, { value: { name: 'x'.repeat(5000) } });
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/larger than 1024 bytes/);
    expect((await call(server, access_token, 'GET', BASE)).body.data).toEqual([]);
  });
});

describe('bad socket input gets an error frame, then close, and changes nothing', () => {
  const good = { type: CREATE, table: 'projects', key: 'ok1', obj: project('ok1') };
  const cases: Array<[string, unknown, RegExp]> = [
    ['malformed JSON', '{"type":', /not valid JSON/],
    ['a non-object frame', '[1,2]', /JSON object/],
    ['an unknown frame type', { type: 'hello' }, /unknown frame type/],
    ['changes that are not an array', { type: 'changes', changes: {}, partial: false, baseRevision: 0, requestId: 1 }, /must be an array/],
    ['an unknown table', { type: 'changes', changes: [good, { type: CREATE, table: 'nope', key: 'a', obj: { id: 'a' } }], partial: false, baseRevision: 0, requestId: 1 }, /unknown table/],
    ['an unknown change type', { type: 'changes', changes: [good, { type: 9, table: 'projects', key: 'a' }], partial: false, baseRevision: 0, requestId: 1 }, /unknown change type/],
    ['a wrongly typed field', { type: 'changes', changes: [good, { type: CREATE, table: 'projects', key: 'a', obj: { id: 'a', name: 5 } }], partial: false, baseRevision: 0, requestId: 1 }, /should be type string/],
    ['an unknown field', { type: 'changes', changes: [good, { type: CREATE, table: 'projects', key: 'a', obj: { id: 'a', evil: 1 } }], partial: false, baseRevision: 0, requestId: 1 }, /unknown field/],
    ['obj.id different from key', { type: 'changes', changes: [good, { type: CREATE, table: 'projects', key: 'a', obj: { id: 'b' } }], partial: false, baseRevision: 0, requestId: 1 }, /carries obj.id/],
    ['a __proto__ key', { type: 'changes', changes: [good, { type: CREATE, table: 'projects', key: '__proto__', obj: { id: '__proto__' } }], partial: false, baseRevision: 0, requestId: 1 }, /invalid record id/],
    ['a prototype-polluting key path', { type: 'changes', changes: [good, { type: UPDATE, table: 'projects', key: 'keep', mods: { '__proto__.polluted': true } }], partial: false, baseRevision: 0, requestId: 1 }, /forbidden key "__proto__"/],
    ['a constructor.prototype key path', { type: 'changes', changes: [good, { type: UPDATE, table: 'projects', key: 'keep', mods: { 'constructor.prototype.polluted': true } }], partial: false, baseRevision: 0, requestId: 1 }, /forbidden key "constructor"/],
    ['a bad part after a good partial part', null, /should be type number/],
  ];

  it.each(cases)('%s', async (name, frame, message) => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    await call(server, access_token, 'PUT', `${BASE}/keep`, { value: project('keep') });
    const s = await TestSocket.identified(server, access_token);
    if (name.startsWith('a bad part')) {
      s.send({ type: 'changes', changes: [good], partial: true, baseRevision: 0, requestId: 1 });
      s.send({ type: 'changes', changes: [{ type: UPDATE, table: 'projects', key: 'keep', mods: { lastModified: 'soon' } }], partial: false, baseRevision: 0, requestId: 2 });
    } else {
      s.send(frame);
    }
    const error = await s.next('error');
    expect(error.message).toMatch(message);
    expect((await s.closedByServer()).code).toBe(1008);
    expect((await call(server, access_token, 'GET', BASE)).body.data).toEqual([project('keep')]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['an unknown frame type of 100 × é (the close reason would be 200+ bytes)', `{"type":"${'é'.repeat(100)}"}`, /unknown frame type/],
    ['a long non-ASCII table name', JSON.stringify({ type: 'changes', changes: [{ type: CREATE, table: '表'.repeat(300), key: 'k', obj: { id: 'k' } }], partial: false, baseRevision: 0, requestId: 1 }), /unknown table/],
    ['a long non-ASCII key', JSON.stringify({ type: 'changes', changes: [{ type: CREATE, table: 'projects', key: '🔑'.repeat(300), obj: project('k') }], partial: false, baseRevision: 0, requestId: 1 }), /invalid record id/],
  ])('survives %s: error frame, a close reason within 123 bytes, and the server still serves', async (_name, frame, message) => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    const s = await TestSocket.identified(server, access_token);
    s.send(frame);
    const error = await s.next('error');
    expect(error.message).toMatch(message);
    expect(Buffer.byteLength(error.message)).toBeLessThanOrEqual(1024);
    const closed = await s.closedByServer();
    expect(closed.code).toBe(1008);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
    expect(closed.reason).toMatch(message);
    // Still up: another socket identifies and writes.
    const again = await TestSocket.identified(server, access_token);
    again.send({ type: 'changes', changes: [{ type: CREATE, table: 'projects', key: 'after', obj: project('after') }], partial: false, baseRevision: 0, requestId: 1 });
    expect(await again.next('ack')).toEqual({ type: 'ack', requestId: 1 });
  });

  it('answers the requestId of the refused change set', async () => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    const s = await TestSocket.identified(server, access_token);
    s.send({ type: 'changes', changes: [{ type: CREATE, table: 'projects', key: 'a', obj: { id: 'a', name: 1 } }], partial: false, baseRevision: 0, requestId: 42 });
    expect(await s.next('error')).toMatchObject({ requestId: 42 });
  });

  it('refuses an oversized frame', async () => {
    const server = await testServer({ maxFrameBytes: 2048 });
    const { access_token } = await server.issueTokens('alice');
    const s = await TestSocket.identified(server, access_token);
    s.send({ type: 'changes', changes: [{ type: CREATE, table: 'projects', key: 'big', obj: project('big', { name: 'x'.repeat(4000) }) }], partial: false, baseRevision: 0, requestId: 1 });
    expect((await s.next('error')).message).toMatch(/larger than 2048 bytes/);
    await s.closedByServer();
    expect((await call(server, access_token, 'GET', BASE)).body.data).toEqual([]);
  });

  it.each([
    ['no identity first', (t: string) => ({ type: 'subscribe', syncedRevision: null }), /first frame must be clientIdentity/],
    ['a missing token', () => ({ type: 'clientIdentity', clientIdentity: null }), /unauthorized: missing access token/],
    ['a forged token', (t: string) => ({ type: 'clientIdentity', clientIdentity: null, authToken: t.slice(0, -4) + 'AAAA' }), /unauthorized/],
  ])('refuses %s with an error frame and close code 4401', async (_name, makeFrame, message) => {
    const server = await testServer();
    const { access_token } = await server.issueTokens('alice');
    const s = await TestSocket.open(server);
    s.send(makeFrame(access_token));
    expect((await s.next('error')).message).toMatch(message);
    expect((await s.closedByServer()).code).toBe(4401);
  });
});
