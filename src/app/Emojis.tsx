/** The Emojis component of a project: its own versioned data inside the project record. */
import { emojisOf, type Project } from './stores.js';

const PALETTE = ['🙂', '🎉', '🌴', '🐙', '🚀', '🍕', '📚', '🎵', '🌈', '🔥', '💡', '✅'];

export interface EmojisProps {
  project: Project;
  onChange(emojis: string[]): void;
}

export function Emojis({ project, onChange }: EmojisProps) {
  const emojis = emojisOf(project);
  // Data in another shape cannot be edited safely here: say so (the error boundary shows it).
  if (emojis === null) throw new Error(`The emojis of “${project.name}” are not a list of emojis, so they cannot be edited here.`);
  return (
    <section className="emojis" aria-label="Emojis">
      <h3>Emojis</h3>
      <p className="emoji-list" data-testid="emoji-list">
        {emojis.length === 0 ? <span className="empty">None yet — pick some below.</span> : null}
        {emojis.map((emoji, i) => (
          <button key={`${emoji}-${i}`} type="button" className="emoji removable" title={`Remove ${emoji}`} aria-label={`Remove ${emoji}`} onClick={() => onChange(emojis.filter((_, j) => j !== i))}>
            {emoji}
            <span className="emoji-x" aria-hidden="true">
              ×
            </span>
          </button>
        ))}
      </p>
      <div className="palette" role="group" aria-label="Add an emoji">
        {PALETTE.map((emoji) => (
          <button key={emoji} type="button" className="emoji" aria-label={`Add ${emoji}`} onClick={() => onChange([...emojis, emoji])}>
            {emoji}
          </button>
        ))}
      </div>
    </section>
  );
}
