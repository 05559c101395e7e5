/**
 * Random user histories over several sync clients, and the oracle they are checked
 * against: for every record, the join (last-modified-wins merge) of every version any
 * client ever wrote. Used by the seeded history tests and the fault-injection suite.
 */
import { expect } from 'vitest';
import { canonicalJson } from '../../src/merge/canonical.js';
import { mergeRecords } from '../../src/merge/lastModifiedWins.js';
import { ruleOf, type SyncRecord } from '../../src/merge/record.js';
import { mergeRules } from '../../basic.config.js';
import { eventually, recordsOf, type TestClient } from './clients.js';
import { expectSameValidTree } from './tree.js';

export class History {
  readonly written = new Map<string, SyncRecord[]>();
  private readonly editing = new Map<number, string>();
  readonly clients: TestClient[] = [];

  constructor(
    private readonly random: () => number,
    private readonly open: (index: number) => Promise<TestClient>,
  ) {}

  /** Opens client `index` (again, after a reload) and records every version it writes. */
  async openClient(index: number): Promise<TestClient> {
    const client = await this.open(index);
    const write = client.service.write.bind(client.service);
    client.service.write = async (table, record) => {
      await write(table, record);
      this.written.set(record.id, [...(this.written.get(record.id) ?? []), record]);
    };
    this.clients[index] = client;
    return client;
  }

  private pick<T>(xs: T[]): T {
    return xs[Math.floor(this.random() * xs.length)]!;
  }

  /** One random user action on a random client: create, rename, component edit, move, delete, edit, reload. */
  async userStep(step: number): Promise<void> {
    const i = Math.floor(this.random() * this.clients.length);
    const c = this.clients[i]!;
    const live = c.store.listProjects();
    const target = live.length ? this.pick(live) : undefined;
    const roll = this.random();
    try {
      if (roll < 0.25 || !target) await c.store.addProject({ name: `p${step}`, parentId: live.length && this.random() < 0.3 ? this.pick(live).id : undefined });
      else if (roll < 0.45) await c.store.renameProject(target.id, `${target.name}/${step}`);
      else if (roll < 0.6) await c.store.updateComponentData(target.id, 'emojis', { kind: 'emojis', emojis: [`e${step}`] });
      else if (roll < 0.64) await c.store.moveProject(target.id, undefined);
      else if (roll < 0.68) await c.store.moveProject(target.id, this.pick(live).id);
      else if (roll < 0.73) await c.store.deleteProject(target.id);
      else if (roll < 0.75) {
        // Restore a deleted project (as Undo or "Restore" would): it must win over its delete.
        const deleted = c.service.list('projects').filter((r) => r.deleted);
        if (deleted.length) await c.store.addProject({ id: this.pick(deleted).id, name: `restored ${step}` });
      }
      else if (roll < 0.85) {
        const held = this.editing.get(i);
        if (held) {
          c.service.endEditing('projects', held);
          this.editing.delete(i);
        } else {
          c.service.beginEditing('projects', target.id);
          this.editing.set(i, target.id);
        }
      } else if (roll < 0.92) {
        // Reload: stop wherever it is (mid-debounce, mid-push) and start from the same storage.
        c.service.stop();
        this.editing.delete(i);
        await this.openClient(i);
      }
    } catch (error) {
      // A record deleted by a merge a moment ago, or a move the tree as shown refuses: the UI would refuse the same way.
      if (!/^no project |cannot move under itself/.test((error as Error).message)) throw error;
    }
  }

  /** Ends all editing and waits until every client is synced. */
  async settle(timeoutMs: number): Promise<void> {
    for (const [i, id] of this.editing) this.clients[i]!.service.endEditing('projects', id);
    this.editing.clear();
    await Promise.all(this.clients.map((c) => c.service.whenSynced(timeoutMs)));
  }

  /** What every store and the server must hold: the join of all versions written, by id. */
  expected(): SyncRecord[] {
    return [...this.written.values()].map((versions) => versions.reduce((a, b) => mergeRecords(a, b, ruleOf(mergeRules, 'projects')))).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Every client and the server hold exactly the expected records. */
  async expectConverged(serverRecords: () => Promise<unknown[]>, timeoutMs = 15_000): Promise<void> {
    const expected = canonicalJson(this.expected());
    try {
      await eventually(async () => {
        expect(canonicalJson(await serverRecords())).toBe(expected);
        for (const c of this.clients) expect(canonicalJson(recordsOf(c))).toBe(expected);
      }, timeoutMs);
    } catch {
      throw new Error(this.explain([['server', (await serverRecords()) as SyncRecord[]], ...this.clients.map((c, i) => [`client ${i} (${c.service.status().state}, ${c.service.status().pendingCount} pending)`, recordsOf(c)] as [string, SyncRecord[]])]));
    }
    // Equal records must give every client the same tree, with every live project in it once.
    expectSameValidTree(this.clients);
  }

  /** Which holder has which record wrong, with every version written of it. */
  private explain(holders: Array<[string, SyncRecord[]]>): string {
    const want = new Map(this.expected().map((r) => [r.id, r]));
    const lines: string[] = [];
    for (const [name, records] of holders) {
      const got = new Map(records.map((r) => [r.id, r]));
      for (const id of new Set([...want.keys(), ...got.keys()])) {
        if (canonicalJson(got.get(id)) === canonicalJson(want.get(id))) continue;
        lines.push(`${name} ${id}:\n  got  ${canonicalJson(got.get(id))}\n  want ${canonicalJson(want.get(id))}`);
        lines.push(...(this.written.get(id) ?? []).map((v) => `    written ${canonicalJson(v)}`));
      }
    }
    return `stores differ from the join of everything written:\n${lines.join('\n')}`;
  }
}
