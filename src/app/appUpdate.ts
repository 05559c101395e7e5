/**
 * The service worker that lets the app start offline (vite-plugin-pwa, Workbox). When a
 * new version of the app is deployed, it waits: the page says so and offers a reload,
 * and a tab never stays on the old version past the next start (the new worker takes
 * over once every tab of the app has closed). Nothing is registered in development.
 */
import { registerSW } from 'virtual:pwa-register';

type Listener = () => void;

let updateReady = false;
let applyUpdate: ((reload?: boolean) => Promise<void>) | undefined;
const listeners = new Set<Listener>();

export const appUpdate = {
  /** Registers the service worker (once, at start). */
  register(): void {
    if (!('serviceWorker' in navigator)) return;
    applyUpdate = registerSW({
      onNeedRefresh() {
        updateReady = true;
        for (const l of listeners) l();
      },
      onRegisterError: (error: unknown) => console.warn('basic-sync: the app could not be made available offline', error),
    });
  },
  ready: () => updateReady,
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Activates the waiting version and reloads this tab on it. */
  reload: () => applyUpdate?.(true),
};
