import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateSchema } from '@basictech/schema';
import { describe, expect, it } from 'vitest';
import schema from '../../basic.config.js';

describe('npm run server', () => {
  it('comes up on the given port, serves the project schema and signs a user in', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'basic-sync-cli-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const match = /at (http:\/\/\S+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
      });
      const res = await fetch(`${url}/project/${schema.project_id}/schema`);
      expect(await res.json()).toEqual({ data: [{ schema }] });
      expect((await fetch(`${url}/project/other/schema`)).status).toBe(404);

      const token = await new Promise<string>((resolve, reject) => {
        const args = ['--import', 'tsx', 'server/token-cli.ts', '--url', url, '--user', 'erin', '--sign-up'];
        const cli = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BASIC_PASSWORD: 'erin password' } });
        let out = '';
        cli.stdout.on('data', (d) => (out += d));
        cli.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out).access_token) : reject(new Error(`token cli exited ${code}`))));
      });
      const info = await fetch(`${url}/auth/userInfo`, { headers: { authorization: `Bearer ${token}` } });
      expect(await info.json()).toMatchObject({ name: 'erin' });
    } finally {
      child.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('ships a schema that @basictech/schema accepts', () => {
    expect(validateSchema(schema)).toEqual({ valid: true, errors: [] });
  });
});
