import { describe, expect, it } from 'vitest';
import { cutToBytes } from '../../server/socket.js';

describe('cutToBytes (WebSocket close reasons are at most 123 bytes)', () => {
  it.each([
    ['short text stays', 'bad frame', 123, 'bad frame'],
    ['ASCII is cut with an ellipsis', 'x'.repeat(200), 20, `${'x'.repeat(17)}…`],
    ['two-byte characters are not split', 'é'.repeat(100), 20, `${'é'.repeat(8)}…`],
    ['four-byte characters are not split', '🔑'.repeat(50), 20, `${'🔑'.repeat(4)}…`],
    ['exactly at the limit stays', 'é'.repeat(10), 20, 'é'.repeat(10)],
  ])('%s', (_name, text, max, expected) => {
    const cut = cutToBytes(text, max);
    expect(cut).toBe(expected);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(max);
  });
});
