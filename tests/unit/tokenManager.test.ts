import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenManager } from '../../src/remote/tokenManager.js';

const jwt = (expSeconds: number) =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(expSeconds).sign(new TextEncoder().encode('k'.repeat(32)));

describe('TokenManager', () => {
  it('reuses a token until shortly before its exp, then refreshes', async () => {
    let now = 1_000_000_000_000;
    const calls: Array<boolean | undefined> = [];
    const tokens = new TokenManager(
      async (o) => {
        calls.push(o?.forceRefresh);
        return jwt(Math.floor(now / 1000) + 3600);
      },
      { now: () => now, refreshBeforeExpiryMs: 30_000 },
    );
    const first = await tokens.token();
    now += 3600_000 - 31_000;
    expect(await tokens.token()).toBe(first);
    now += 2_000; // inside the 30 s margin
    const second = await tokens.token();
    expect(second).not.toBe(first);
    expect(calls).toEqual([undefined, true]);
  });

  it('a refused token earns one retry with a fresh one; a fresh one refused too does not; one the server took does again', async () => {
    let n = 0;
    const forced: Array<boolean | undefined> = [];
    const tokens = new TokenManager(async (o) => {
      forced.push(o?.forceRefresh);
      return `opaque-${++n}`;
    });
    const t1 = await tokens.token();
    expect(tokens.refused(t1)).toBe(true); // REST 401 or socket 4401: try once more
    const t2 = await tokens.token();
    expect(t2).toBe('opaque-2');
    expect(forced).toEqual([undefined, true]);
    expect(tokens.refused(t2)).toBe(false); // the fresh one refused as well: stop, do not loop
    const t3 = await tokens.token();
    tokens.accepted(t3); // it worked for a while...
    expect(tokens.refused(t3)).toBe(true); // ...and when it expires, a refresh is worth one retry again
  });

  it('shares one refresh between concurrent callers (single flight)', async () => {
    let release!: () => void;
    let calls = 0;
    const tokens = new TokenManager(async () => {
      calls += 1;
      await new Promise<void>((r) => (release = r));
      return 'opaque-token';
    });
    const all = Promise.all([tokens.token(), tokens.token({ forceRefresh: true }), tokens.token()]);
    release();
    expect(await all).toEqual(['opaque-token', 'opaque-token', 'opaque-token']);
    expect(calls).toBe(1);
    // Not a JWT: trusted until refused, then forced.
    expect(await tokens.token()).toBe('opaque-token');
    expect(calls).toBe(1);
    const forced = tokens.token({ forceRefresh: true });
    release();
    await forced;
    expect(calls).toBe(2);
  });

  it('fails clearly when getToken yields nothing (signed out)', async () => {
    const tokens = new TokenManager(async () => '');
    await expect(tokens.token()).rejects.toThrow(/no token/);
  });
});

describe('TokenManager timeouts', () => {
  it('fails a getToken that never answers, and tries again on the next call', async () => {
    let calls = 0;
    const tokens = new TokenManager(() => (++calls === 1 ? new Promise<string>(() => {}) : Promise.resolve('later-token')), { timeoutMs: 50 });
    await expect(tokens.token()).rejects.toThrow(/did not answer within 50 ms/);
    expect(await tokens.token()).toBe('later-token');
  });
});
