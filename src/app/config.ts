/**
 * Which BasicDB the app talks to. One setting decides:
 * - `VITE_BASIC_PROJECT_ID` set: the hosted BasicDB (sign-in through `@basictech/react`'s
 *   `BasicProvider`, tokens from its `getToken`), at `VITE_BASIC_SERVER_URL` or
 *   `https://api.basic.tech`.
 * - unset (the default): the local BasicDB-compatible server at `VITE_BASIC_SERVER_URL`
 *   (default `http://127.0.0.1:8787`), with its own sign-in page.
 * `VITE_BASIC_SOCKET_URL` sets the sync socket apart from the REST URL (newer BasicDB
 * serves it from its own host); by default it is the server URL's `/ws`.
 */
import schema from '../../basic.config.js';

export interface AppConfig {
  mode: 'hosted' | 'local';
  serverUrl: string;
  /** Unset: `serverUrl`'s `/ws`. */
  socketUrl?: string;
  projectId: string;
}

export function appConfig(env: Record<string, string | undefined> = import.meta.env): AppConfig {
  const hostedProject = env.VITE_BASIC_PROJECT_ID?.trim();
  const socketUrl = env.VITE_BASIC_SOCKET_URL?.trim() || undefined;
  if (hostedProject) {
    return { mode: 'hosted', projectId: hostedProject, serverUrl: env.VITE_BASIC_SERVER_URL || 'https://api.basic.tech', socketUrl };
  }
  return { mode: 'local', projectId: schema.project_id, serverUrl: env.VITE_BASIC_SERVER_URL || 'http://127.0.0.1:8787', socketUrl };
}
