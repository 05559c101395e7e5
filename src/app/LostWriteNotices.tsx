/**
 * What another device's version replaced of this user's work, in plain words, with the
 * user's version and a way to take it back: "Keep mine" (a new write that then wins by
 * the normal rule), "Restore" when the project was deleted, or "Dismiss".
 */
import type { LostWrite } from 'basic-sync';
import { emojisOf, type Project, type ProjectTree } from './stores.js';

export interface LostWriteNoticesProps {
  lostWrites: LostWrite[];
  tree: ProjectTree;
  onKeepMine(lost: LostWrite): void;
  onDismiss(lost: LostWrite): void;
}

/** The user's lost parts of a project, in words: “name “Trip”, emojis 🌴”. */
export function describeMine(lost: LostWrite, tree: ProjectTree): string[] {
  const mine = { components: {}, ...lost.mine } as unknown as Project;
  // Lost to a delete: the whole project; name it, and whatever else it held.
  const parts =
    lost.kind === 'deleted'
      ? ['name', ...(mine.parentId ? ['parentId'] : []), ...((emojisOf(mine) ?? []).length ? ['components.emojis'] : [])]
      : lost.lost;
  return parts.map((part) => {
    if (part === 'name') return `name “${mine.name}”`;
    if (part === 'parentId') {
      const parent = mine.parentId ? tree.all.find((p) => p.id === mine.parentId) : undefined;
      return mine.parentId ? `place: under “${parent?.name ?? 'a deleted project'}”` : 'place: at the top level';
    }
    if (part === 'components.emojis') {
      const emojis = emojisOf(mine) ?? [];
      return emojis.length ? `emojis ${emojis.join('')}` : 'no emojis';
    }
    return part;
  });
}

export function LostWriteNotices({ lostWrites, tree, onKeepMine, onDismiss }: LostWriteNoticesProps) {
  if (lostWrites.length === 0) return null;
  return (
    <section className="lost-writes" aria-label="Changes replaced by another device">
      {lostWrites.map((lost) => {
        const name = (lost.mine.name as string | undefined) ?? 'a project';
        const current = tree.all.find((p) => p.id === lost.id);
        return (
          <div className="notice lost-write" role="alert" key={`${lost.table}:${lost.id}`} data-testid="lost-write">
            <p>
              {lost.kind === 'deleted' ? (
                <>
                  <strong>“{name}” was deleted on another device</strong>, so your changes to it were not kept.
                </>
              ) : (
                <>
                  <strong>“{current?.name ?? name}” was changed on another device</strong>, and that replaced your version.
                </>
              )}
            </p>
            <p className="yours">Yours: {describeMine(lost, tree).join(' · ')}</p>
            <button type="button" onClick={() => onKeepMine(lost)}>
              {lost.kind === 'deleted' ? 'Restore' : 'Keep mine'}
            </button>{' '}
            <button type="button" onClick={() => onDismiss(lost)}>
              Dismiss
            </button>
          </div>
        );
      })}
    </section>
  );
}
