/**
 * BasicDB's REST API, as much as the sync service needs: every call carries a
 * fresh token, and a 401 forces one token refresh and one retry.
 */
import type { BasicSchema } from '../protocol/schema.js';
import type { TokenManager } from './tokenManager.js';

/** A failure worth retrying later: network down, timeout, 5xx. */
export class TransientRemoteError extends Error {
  readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientRemoteError';
  }
}

/** A refusal that retrying will not fix: 4xx other than a first 401. */
export class PermanentRemoteError extends Error {
  readonly transient = false;
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'PermanentRemoteError';
  }
}

export interface RestClientOptions {
  serverUrl: string;
  projectId: string;
  tokens: TokenManager;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class RestClient {
  constructor(private readonly options: RestClientOptions) {}

  /** The project's published schema (`{ data: [{ schema }] }`). */
  async fetchSchema(): Promise<BasicSchema> {
    const body = (await this.request('GET', `/project/${encodeURIComponent(this.options.projectId)}/schema`)) as { data?: Array<{ schema?: BasicSchema }> };
    const schema = body?.data?.[0]?.schema;
    if (!schema || typeof schema !== 'object') throw new PermanentRemoteError('the server published no schema', 200);
    return schema;
  }

  /** Every record of a table, as the server holds it (unchecked: the caller checks it). */
  async listRecords(table: string): Promise<unknown[]> {
    const body = (await this.request('GET', this.tablePath(table))) as { data?: unknown } | undefined;
    if (!Array.isArray(body?.data)) throw new TransientRemoteError(`GET ${this.tablePath(table)} answered without a list of records`);
    return body.data;
  }

  /** Writes a whole record (an upsert). */
  async putRecord(table: string, id: string, value: unknown): Promise<void> {
    await this.request('PUT', `${this.tablePath(table)}/${encodeURIComponent(id)}`, { value });
  }

  private tablePath(table: string): string {
    return `/account/${encodeURIComponent(this.options.projectId)}/db/${encodeURIComponent(table)}`;
  }

  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    for (;;) {
      const { res, token } = await this.send(method, path, body);
      // The token manager's policy: one retry with a fresh token, not a loop.
      if (res.status === 401 && this.options.tokens.refused(token)) continue;
      if (res.status !== 401) this.options.tokens.accepted(token);
      return this.unwrap(res);
    }
  }

  private async send(method: string, path: string, body: unknown): Promise<{ res: Response; token: string }> {
    const { tokens, serverUrl, timeoutMs = 10_000 } = this.options;
    const doFetch = this.options.fetch ?? fetch;
    let token: string;
    try {
      token = await tokens.token();
    } catch (error) {
      throw new TransientRemoteError(`getting a token failed: ${(error as Error).message}`, { cause: error });
    }
    try {
      const res = await doFetch(`${serverUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { res, token };
    } catch (error) {
      throw new TransientRemoteError(`${method} ${path} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  private async unwrap(res: Response): Promise<unknown> {
    const text = await res.text().catch(() => '');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (res.ok) return body;
    const detail = (body as { message?: string; error?: string; detail?: string } | undefined) ?? {};
    const message = `${res.status} ${detail.message ?? detail.error ?? detail.detail ?? res.statusText}`;
    if (res.status >= 500 || res.status === 408 || res.status === 429) throw new TransientRemoteError(message);
    throw new PermanentRemoteError(message, res.status);
  }
}
