/**
 * The package as others get it: `npm pack`, installed into an empty project, which
 * type-checks code using every entry point (strict, NodeNext, as a plain Node project
 * resolves it) and imports the core at run time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = process.cwd();
const project = mkdtempSync(join(tmpdir(), 'basic-sync-consumer-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });

const consumer = `
import { createSyncService, type BasicSchema, type RecordOf } from 'basic-sync';
import { useCollection, useRecord, useSyncStatus, SyncStatusIndicator } from 'basic-sync/react';
import { startServer, type RunningServer } from 'basic-sync/server';
import { localServerTokenSource, memoryStorage } from 'basic-sync/testing';

const versioned = { lastModified: { type: 'number' }, modifiedBy: { type: 'string' }, deleted: { type: 'boolean' }, generation: { type: 'number' } } as const;
export const schema = {
  project_id: 'todo',
  version: 1,
  tables: { todos: { type: 'collection', fields: { text: { type: 'string' }, done: { type: 'boolean' }, ...versioned } } },
} as const satisfies BasicSchema;

export async function main(server: RunningServer) {
  const service = createSyncService({
    storage: memoryStorage(),
    serverUrl: server.url,
    schema,
    getToken: localServerTokenSource(server.url, { user: 'u', password: 'a long password', signUp: true }),
  });
  const todos = service.collection('todos');
  const todo = await todos.add({ text: 'milk', done: false });
  const text: string | undefined = todo.text;
  // @ts-expect-error a field the schema does not have
  await todos.add({ colour: 'red' });
  // @ts-expect-error a table the schema does not have
  service.collection('lists');
  const typed: RecordOf<typeof schema, 'todos'> | undefined = todos.get(todo.id);
  return { text, typed, hooks: [useCollection, useRecord, useSyncStatus, SyncStatusIndicator], start: startServer };
}
`;

describe('the packed package', () => {
  it('installs into an empty project, type-checks there, and its core imports', () => {
    run('npx', ['tsc', '-p', 'tsconfig.build.json'], root);
    run('npm', ['pack', '--pack-destination', project, '--silent'], root);
    const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'))!;
    expect(tarball).toMatch(/^basic-sync-.*\.tgz$/);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    run('npm', ['install', `./${tarball}`, 'typescript@5', '@types/node@20', '@types/react@19', 'react@19', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], project);
    writeFileSync(join(project, 'consumer.ts'), consumer);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', skipLibCheck: true, noEmit: true, jsx: 'react-jsx' }, files: ['consumer.ts'] }),
    );
    run('npx', ['tsc', '-p', '.'], project);
    const out = run('node', ['--input-type=module', '-e', "const m = await import('basic-sync'); const t = await import('basic-sync/testing'); console.log(typeof m.createSyncService, typeof t.memoryStorage)"], project);
    expect(out.trim()).toBe('function function');
  }, 300_000);
});
