/**
 * Shapes of BasicDB's REST and auth endpoints. Shared by client and server.
 */
import type { BasicSchema, RecordValue } from './schema.js';

/** `POST /auth/token` answer. `refresh` is posted back in `code` to refresh. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh: string;
}

/** `GET /auth/userInfo` answer. */
export interface UserInfo {
  id: string;
  name: string;
  email: string;
}

/** `GET /project/{project_id}/schema` answer. */
export interface SchemaResponse {
  data: [{ schema: BasicSchema }];
}

export interface RecordListResponse {
  data: RecordValue[];
}
export interface RecordResponse {
  data: RecordValue;
}

/** Every non-2xx answer carries a JSON body with a message. */
export interface ErrorResponse {
  error: string;
  message: string;
}

/** The JWT claims of a BasicDB access token that clients rely on. */
export interface AccessTokenClaims {
  sub: string;
  aud: string;
  exp: number;
  name?: string;
}
