/**
 * Names as the user types them: capped at `MAX_NAME_LENGTH` with a counter near the cap,
 * and a name the store would refuse (empty, only spaces) answered in place instead of
 * ignored. `NameField` is a one-line "add" form; `NameHint` is the counter and the
 * message, for any name input.
 */
import { useId, useState, type FormEvent } from 'react';
import { MAX_NAME_LENGTH, nameProblem } from './stores.js';

/** The counter shows from this many characters on. */
const COUNTER_FROM = MAX_NAME_LENGTH - 40;

export function NameHint({ id, value, problem }: { id: string; value: string; problem: string | undefined }) {
  return (
    <span id={id} className="name-hint">
      {problem ? (
        <span className="field-error" role="alert">
          {problem}
        </span>
      ) : null}
      {value.length >= COUNTER_FROM ? (
        <span className="name-counter" aria-live="polite">
          {value.length}/{MAX_NAME_LENGTH}
        </span>
      ) : null}
    </span>
  );
}

export interface NameFieldProps {
  label: string;
  placeholder: string;
  submitLabel: string;
  className: string;
  onSubmit(name: string): void;
}

export function NameField({ label, placeholder, submitLabel, className, onSubmit }: NameFieldProps) {
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const hintId = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const why = nameProblem(name);
    setProblem(why);
    if (why) return;
    onSubmit(name);
    setName('');
  };
  return (
    <form onSubmit={submit} className={className} noValidate>
      <div className="name-row">
        <input
          aria-label={label}
          placeholder={placeholder}
          value={name}
          maxLength={MAX_NAME_LENGTH}
          aria-invalid={problem ? true : undefined}
          aria-describedby={hintId}
          onChange={(e) => {
            setName(e.target.value);
            if (problem) setProblem(undefined);
          }}
        />
        <button type="submit">{submitLabel}</button>
      </div>
      <NameHint id={hintId} value={name} problem={problem} />
    </form>
  );
}
