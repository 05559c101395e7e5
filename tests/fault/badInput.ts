/**
 * Bad input a server could send, as frames the fault proxy slips into a live sync
 * socket: malformed, oversized and wrongly typed frames (the client must drop the
 * socket and say why), and records that are wrongly typed, pollute prototypes, name
 * unknown tables or claim far-future stamps (the client must quarantine each with a
 * reason). Frames carry the socket's current revision, so a client that accepts the
 * frame's envelope does not skip anything the real server sent.
 */
import { CREATE, UPDATE } from '../../src/protocol/socket.js';
import type { SocketView } from './faultProxy.js';

export interface BadInput {
  name: string;
  /** `frame`: the whole frame is refused and the socket dropped; `record`: one record is quarantined. */
  refused: 'frame' | 'record';
  /** The record the client must quarantine (for `record`). */
  id?: (view: SocketView) => string;
  /** The frame's text, built for the socket it goes to. */
  frame: (view: SocketView) => string;
  /** The reason the client must give (a log line for frames, the quarantine reason for records). */
  reason: RegExp;
}

/** A key the server has sent on this socket, so bad versions of real records are tried too. */
const knownKey = (view: SocketView) => [...view.keys].at(-1) ?? 'ghost-record';
const soon = () => Date.now() + 60_000;
const changesFrame = (view: SocketView, changes: string) =>
  `{"type":"changes","currentRevision":${JSON.stringify(view.revision)},"partial":false,"changes":[${changes}]}`;
const create = (table: string, key: string, obj: string) => `{"type":${CREATE},"table":${JSON.stringify(table)},"key":${JSON.stringify(key)},"obj":${obj}}`;

export const BAD_INPUTS: BadInput[] = [
  { name: 'a frame that is not JSON', refused: 'frame', frame: () => '{"type":"changes","changes":[', reason: /refused a frame that is not JSON/ },
  { name: 'a frame that is a list', refused: 'frame', frame: () => '[1,2,3]', reason: /refused a frame that is not an object/ },
  { name: 'changes that are not a list', refused: 'frame', frame: (v) => `{"type":"changes","currentRevision":${JSON.stringify(v.revision)},"partial":false,"changes":"all of them"}`, reason: /refused a malformed changes frame/ },
  { name: 'a revision of the wrong type', refused: 'frame', frame: () => '{"type":"changes","currentRevision":{"n":1},"partial":false,"changes":[]}', reason: /without currentRevision/ },
  { name: 'a frame of an unknown type', refused: 'frame', frame: () => '{"type":"takeover","all":true}', reason: /refused a frame of unknown type "takeover"/ },
  {
    name: 'an oversized frame (5 MiB)',
    refused: 'frame',
    frame: (v) => changesFrame(v, create('projects', knownKey(v), `{"id":${JSON.stringify(knownKey(v))},"name":"${'x'.repeat(5 * 1024 * 1024)}","lastModified":${soon()},"modifiedBy":"big"}`)),
    reason: /refused a \d+-byte frame \(limit 4194304\)/,
  },
  {
    name: 'a wrongly typed field on a real record',
    refused: 'record',
    id: knownKey,
    frame: (v) => changesFrame(v, create('projects', knownKey(v), `{"id":${JSON.stringify(knownKey(v))},"name":42,"lastModified":${soon()},"modifiedBy":"typo"}`)),
    reason: /Field name should be type string, got number/,
  },
  {
    name: 'a record keyed __proto__',
    refused: 'record',
    id: () => '__proto__',
    frame: (v) => changesFrame(v, create('projects', '__proto__', `{"id":"__proto__","name":"evil","lastModified":1,"modifiedBy":"x","polluted":true}`)),
    reason: /invalid record id "__proto__"/,
  },
  {
    name: 'a __proto__ key inside components',
    refused: 'record',
    id: knownKey,
    frame: (v) => changesFrame(v, create('projects', knownKey(v), `{"id":${JSON.stringify(knownKey(v))},"name":"n","lastModified":${soon()},"modifiedBy":"x","components":{"__proto__":{"polluted":true,"lastModified":1,"modifiedBy":"x"}}}`)),
    reason: /forbidden key "__proto__" in value.components/,
  },
  {
    name: 'a constructor.prototype field',
    refused: 'record',
    id: () => 'ctor',
    frame: (v) => changesFrame(v, create('projects', 'ctor', `{"id":"ctor","name":"n","lastModified":1,"modifiedBy":"x","constructor":{"prototype":{"polluted":true}}}`)),
    reason: /forbidden key "constructor"/,
  },
  {
    name: 'a table the schema does not have',
    refused: 'record',
    id: () => 'secret-1',
    frame: (v) => changesFrame(v, create('secrets', 'secret-1', '{"id":"secret-1"}')),
    reason: /unknown table "secrets"/,
  },
  {
    name: 'a stamp a year ahead on a real record',
    refused: 'record',
    id: knownKey,
    frame: (v) => changesFrame(v, create('projects', knownKey(v), `{"id":${JSON.stringify(knownKey(v))},"name":"from the future","lastModified":${Date.now() + 365 * 24 * 3600_000},"modifiedBy":"x"}`)),
    reason: /further ahead of this clock/,
  },
  {
    name: 'a key-path update instead of a whole record',
    refused: 'record',
    id: knownKey,
    frame: (v) => changesFrame(v, `{"type":${UPDATE},"table":"projects","key":${JSON.stringify(knownKey(v))},"mods":{"name":"half"}}`),
    reason: /updates without the whole record are not supported/,
  },
  {
    name: 'an obj.id that differs from the key',
    refused: 'record',
    id: () => 'alias',
    frame: (v) => changesFrame(v, create('projects', 'alias', `{"id":${JSON.stringify(knownKey(v))},"name":"n","lastModified":${soon()},"modifiedBy":"x"}`)),
    reason: /differs from key "alias"/,
  },
  {
    name: 'a component without a stamp',
    refused: 'record',
    id: knownKey,
    frame: (v) => changesFrame(v, create('projects', knownKey(v), `{"id":${JSON.stringify(knownKey(v))},"name":"n","lastModified":${soon()},"modifiedBy":"x","components":{"emojis":{"emojis":["🙂"]}}}`)),
    reason: /components.emojis needs a numeric lastModified/,
  },
];
