/**
 * The forgery table: tokens an attacker could present, each of which every verifier of our JWTs (the
 * relay, the Dialogflow proxy, the conversation-name API) must refuse. Built for given JwtSettings so a
 * suite can run it against its own server: `for (const { name, token } of forgeries(jwt)) it(...)`.
 * Tokens are assembled by hand (not with jsonwebtoken, which refuses to make most of them).
 */
import { createHmac, generateKeyPairSync, randomBytes, sign as rsaSign } from 'node:crypto';
import { signToken, type JwtSettings } from '../../src/auth/jwt';

export interface Forgery {
  readonly name: string;
  readonly token: string;
}

const b64 = (value: object | Buffer): string =>
  (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');

/** A compact JWS over `header` and `payload`, HMAC-SHA256 signed with `key`. */
export function hmacToken(header: object, payload: object, key: Buffer | string, hash = 'sha256'): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

// Generating an RSA key takes a moment: once per process is enough.
let rsaPrivateKey: string | undefined;

/** Every forgery, built around a genuine token for `user` issued at `now`. */
export function forgeries(settings: JwtSettings, now = Date.now(), user = 'agent'): Forgery[] {
  const { kid, secret } = settings.keys[0];
  const { claims, token: genuine } = signToken(settings, user, now);
  const header = { alg: 'HS256', typ: 'JWT', kid };
  const seconds = Math.floor(now / 1000);
  const skew = settings.clockToleranceSeconds + 60;
  const signed = (payload: object, headerOverride: object = header) => hmacToken(headerOverride, payload, secret);
  rsaPrivateKey ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  }).privateKey;
  const rsHeader = { alg: 'RS256', typ: 'JWT', kid };
  const rsInput = `${b64(rsHeader)}.${b64(claims)}`;
  const [h, p, s] = genuine.split('.');
  const tamperedPayload = b64({ ...claims, gcp_agent_assist_user: 'someone-else' });
  return [
    { name: 'signed with an empty key', token: hmacToken(header, claims, Buffer.alloc(0)) },
    { name: 'signed with an empty key and no kid', token: hmacToken({ alg: 'HS256', typ: 'JWT' }, claims, '') },
    { name: 'alg none', token: `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64(claims)}.` },
    { name: 'alg None, signature kept', token: `${b64({ alg: 'None', typ: 'JWT', kid })}.${p}.${s}` },
    { name: 'signed with another key', token: hmacToken(header, claims, randomBytes(32)) },
    { name: 'signed with another key under an unknown kid', token: hmacToken({ ...header, kid: 'unknown-kid' }, claims, randomBytes(32)) },
    { name: 'RS256 over an HMAC of the secret (secret used as public key)', token: signed(claims, rsHeader) },
    { name: 'RS256 signed with an RSA key', token: `${rsInput}.${rsaSign('sha256', Buffer.from(rsInput), rsaPrivateKey).toString('base64url')}` },
    { name: 'HS512 with the right secret (algorithm not pinned)', token: hmacToken({ ...header, alg: 'HS512' }, claims, secret, 'sha512') },
    { name: 'expired', token: signed({ ...claims, iat: seconds - 7200, exp: seconds - skew }) },
    { name: 'without exp', token: signed({ ...claims, exp: undefined }) },
    { name: 'not yet valid (nbf)', token: signed({ ...claims, nbf: seconds + skew }) },
    { name: 'not yet valid (iat in the future)', token: signed({ ...claims, iat: seconds + skew, exp: seconds + skew + 3600 }) },
    { name: 'wrong project', token: signed({ ...claims, gcp_agent_assist_project: 'another-project' }) },
    { name: 'no project', token: signed({ ...claims, gcp_agent_assist_project: undefined }) },
    { name: 'wrong audience', token: signed({ ...claims, aud: 'someone-else' }) },
    { name: 'wrong issuer', token: signed({ ...claims, iss: 'someone-else' }) },
    { name: 'truncated signature', token: genuine.slice(0, -6) },
    { name: 'signature removed', token: `${h}.${p}.` },
    { name: 'only header and payload', token: `${h}.${p}` },
    { name: 'tampered payload', token: `${h}.${tamperedPayload}.${s}` },
    { name: 'not a JWT', token: 'not-a-jwt' },
  ];
}

/**
 * The names of the table, known before any server runs (mocha declares its tests first):
 * `for (const name of forgeryNames()) it(name, () => … forgeries(jwt).find((f) => f.name === name) …)`.
 */
export function forgeryNames(): string[] {
  const throwaway: JwtSettings = {
    keys: [{ kid: 'names', secret: randomBytes(32) }],
    issuer: 'i',
    audience: 'a',
    projectId: 'p',
    lifetimeMinutes: 60,
    clockToleranceSeconds: 0,
  };
  return forgeries(throwaway).map(({ name }) => name);
}
