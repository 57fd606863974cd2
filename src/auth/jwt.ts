/**
 * Our JWTs: what a desktop gets at `/register` and presents to the relay, the Dialogflow proxy and the
 * conversation-name API. HS256 only (pinned on verify, so `alg: none` and RS256-with-the-secret tricks fail),
 * with the Python original's claims (`exp`, `gcp_agent_assist_project`, `gcp_agent_assist_user`) plus
 * `iat`, `iss`, `aud`, `jti`, and a key id in the header so a rotated secret's tokens stay valid until
 * they expire.
 */
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface SigningKey {
  /** Key id carried in the token header (`kid`). */
  readonly kid: string;
  readonly secret: Buffer;
}

export interface JwtSettings {
  /** Keys that verify tokens; the first also signs new ones. */
  readonly keys: readonly SigningKey[];
  readonly issuer: string;
  readonly audience: string;
  /** Project the tokens are issued for (`gcp_agent_assist_project`). */
  readonly projectId: string;
  readonly lifetimeMinutes: number;
  /** Seconds of clock skew tolerated on `exp`, `iat` and `nbf`. */
  readonly clockToleranceSeconds: number;
}

export interface TokenClaims {
  readonly gcp_agent_assist_project: string;
  readonly gcp_agent_assist_user: string;
  readonly iss: string;
  readonly aud: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
  /** The platform identity the provider vouched for (`salesforce:005…`), when it named one. */
  readonly sub?: string;
  /** When the platform check behind this token happened (seconds); a refresh keeps it, bounding refreshes. */
  readonly auth_time?: number;
}

/** What a token may carry besides its user: who the provider said it was, and when it said so. */
export interface TokenExtras {
  readonly subject?: string;
  /** Seconds since the epoch; defaults to the signing time. */
  readonly authTime?: number;
}

/** A token was refused; `message` is short and safe to return to the caller. */
export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

export const MIN_SECRET_BYTES = 32;

const keyObjects = new WeakMap<SigningKey, KeyObject>();

/**
 * The secret of a key as a KeyObject, made once per key. Given a Buffer, jsonwebtoken first tries
 * `createPublicKey` on it (which throws for a secret) on every sign and verify; a KeyObject skips that.
 */
function keyObject(key: SigningKey): KeyObject {
  let object = keyObjects.get(key);
  if (object === undefined) {
    object = createSecretKey(key.secret);
    keyObjects.set(key, object);
  }
  return object;
}

/** Issues a token for `user`, signed with the current key (the first) and naming it in `kid`. */
export function signToken(settings: JwtSettings, user: string, now = Date.now(), extras: TokenExtras = {}): { token: string; claims: TokenClaims } {
  const key = settings.keys[0];
  const iat = Math.floor(now / 1000);
  const claims: TokenClaims = {
    gcp_agent_assist_project: settings.projectId,
    gcp_agent_assist_user: user,
    iss: settings.issuer,
    aud: settings.audience,
    jti: randomUUID(),
    iat,
    exp: iat + settings.lifetimeMinutes * 60,
    ...(extras.subject === undefined ? {} : { sub: extras.subject }),
    auth_time: extras.authTime ?? iat,
  };
  // jsonwebtoken keeps the given `iat` (its `noTimestamp` option would drop it).
  const token = jwt.sign(claims, keyObject(key), { algorithm: 'HS256', keyid: key.kid });
  return { token, claims };
}

/** Verifies a token (signature, expiry, issuer, audience, project); throws TokenError when refused. */
export function verifyToken(settings: JwtSettings, token: string, now = Date.now()): TokenClaims {
  if (typeof token !== 'string' || token.length === 0) throw new TokenError('missing token');
  if (token.length > 4096) throw new TokenError('invalid token');
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') throw new TokenError('malformed token');
  if (decoded.header.alg !== 'HS256') throw new TokenError('invalid token');
  const kid: unknown = decoded.header.kid;
  // A token without `kid` (issued before rotation existed) can only be checked against the current key.
  const key = kid === undefined ? settings.keys[0] : settings.keys.find((candidate) => candidate.kid === kid);
  if (!key) throw new TokenError('invalid token');
  let payload: jwt.JwtPayload;
  try {
    payload = jwt.verify(token, keyObject(key), {
      algorithms: ['HS256'],
      issuer: settings.issuer,
      audience: settings.audience,
      clockTolerance: settings.clockToleranceSeconds,
      clockTimestamp: Math.floor(now / 1000),
    }) as jwt.JwtPayload;
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) throw new TokenError('token expired');
    if (error instanceof jwt.NotBeforeError) throw new TokenError('token not yet valid');
    throw new TokenError('invalid token');
  }
  if (typeof payload.exp !== 'number') throw new TokenError('invalid token');
  if (typeof payload.iat === 'number' && payload.iat > Math.floor(now / 1000) + settings.clockToleranceSeconds) {
    throw new TokenError('token not yet valid');
  }
  if (payload.gcp_agent_assist_project !== settings.projectId) throw new TokenError('token is for another project');
  return payload as unknown as TokenClaims;
}

/** The token of an `Authorization` header: raw or `Bearer <token>`. */
export function tokenFromHeader(header: string | string[] | undefined): string | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(value);
  return (match ? match[1] : value).trim() || undefined;
}
