/**
 * Says when this browser's localStorage is nearly full, before a write fails, and offers
 * what helps: moving the user's projects to IndexedDB. Checked when the projects change,
 * at most every few seconds (reading every key costs a few milliseconds).
 */
import { useEffect, useState } from 'react';
import { localStorageFullness, NEARLY_FULL } from './localStorageRoom.js';

const CHECK_EVERY_MS = 3000;

export interface StorageNoticeProps {
  /** Calls back on every change of the user's projects. */
  subscribe(listener: () => void): () => void;
  onMove(): void;
}

export function StorageNotice({ subscribe, onMove }: StorageNoticeProps) {
  const [share, setShare] = useState(() => localStorageFullness());
  const [moving, setMoving] = useState(false);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        setShare(localStorageFullness());
      }, CHECK_EVERY_MS);
    };
    const unsubscribe = subscribe(check);
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [subscribe]);

  if (share < NEARLY_FULL) return null;
  return (
    <div className="notice storage-notice" role="alert">
      <p>
        <strong>This browser's storage for your projects is {Math.min(100, Math.round(share * 100))}% full.</strong> Once it is full, new
        changes cannot be saved here. Move your projects to this browser's larger storage (IndexedDB) to keep working; nothing
        is lost and the page reloads.
      </p>
      <button
        type="button"
        disabled={moving}
        onClick={() => {
          setMoving(true);
          onMove();
        }}
      >
        {moving ? 'Moving…' : 'Move to larger storage'}
      </button>
    </div>
  );
}
