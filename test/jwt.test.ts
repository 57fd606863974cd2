/** Our JWTs: what is issued, what is verified, the forgery table, and rotation by key id. */
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { signToken, tokenFromHeader, TokenError, verifyToken, type JwtSettings } from '../src/auth/jwt';
import { keyId } from '../src/auth/jwt-config';
import { forgeries } from './helpers/forgeries';

function settingsWith(...secrets: string[]): JwtSettings {
  return {
    keys: secrets.map((secret) => ({ kid: keyId(Buffer.from(secret)), secret: Buffer.from(secret) })),
    issuer: 'agent-assist-backend',
    audience: 'agent-assist-desktop',
    projectId: 'test-project',
    lifetimeMinutes: 60,
    clockToleranceSeconds: 30,
  };
}

const CURRENT = 'current-secret-0123456789-0123456789-abcdef';
const PREVIOUS = 'previous-secret-0123456789-0123456789-abcdef';

describe('JWT', () => {
  const settings = settingsWith(CURRENT);

  it('issues HS256 tokens with the original claims plus iat, iss, aud, jti, kid and auth_time', () => {
    const now = Date.UTC(2030, 0, 1);
    const { token, claims } = signToken(settings, 'agent@example.com', now, { subject: 'salesforce:005x' });
    const decoded = jwt.decode(token, { complete: true });
    assert.ok(decoded && typeof decoded.payload === 'object');
    assert.equal(decoded.header.alg, 'HS256');
    assert.equal(decoded.header.kid, settings.keys[0].kid);
    assert.deepEqual(decoded.payload, claims);
    assert.equal(claims.gcp_agent_assist_project, 'test-project');
    assert.equal(claims.gcp_agent_assist_user, 'agent@example.com');
    assert.equal(claims.exp - claims.iat, 3600);
    assert.equal(claims.auth_time, claims.iat);
    assert.equal(claims.sub, 'salesforce:005x');
    assert.match(claims.jti, /^[0-9a-f-]{36}$/);
    assert.notEqual(signToken(settings, 'a', now).claims.jti, signToken(settings, 'a', now).claims.jti);
    assert.deepEqual(verifyToken(settings, token, now), claims);
  });

  it('tolerates the configured clock skew on expiry, and no more', () => {
    const now = Date.now();
    const { token, claims } = signToken(settings, 'agent', now);
    assert.doesNotThrow(() => verifyToken(settings, token, claims.exp * 1000 + 29_000));
    assert.throws(() => verifyToken(settings, token, claims.exp * 1000 + 31_000), { name: 'TokenError', message: 'token expired' });
  });

  describe('refuses every forgery', () => {
    const now = Date.now();
    for (const { name, token } of forgeries(settings, now)) {
      it(name, () => {
        assert.throws(() => verifyToken(settings, token, now), (error: unknown) => error instanceof TokenError);
      });
    }
  });

  it('says why in a few words', () => {
    const now = Date.now();
    const table = new Map(forgeries(settings, now).map(({ name, token }) => [name, token]));
    const reason = (name: string) => {
      try {
        verifyToken(settings, table.get(name) ?? '', now);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };
    assert.equal(reason('expired'), 'token expired');
    assert.equal(reason('not yet valid (nbf)'), 'token not yet valid');
    assert.equal(reason('not yet valid (iat in the future)'), 'token not yet valid');
    assert.equal(reason('wrong project'), 'token is for another project');
    assert.equal(reason('alg none'), 'invalid token');
    assert.throws(() => verifyToken(settings, '', now), { message: 'missing token' });
    assert.throws(() => verifyToken(settings, 'x'.repeat(5000), now), { message: 'invalid token' });
  });

  describe('rotation', () => {
    const rotated = settingsWith(CURRENT, PREVIOUS);

    it('keeps tokens signed with the previous secret valid until they expire', () => {
      const now = Date.now();
      const { token, claims } = signToken(settingsWith(PREVIOUS), 'agent', now);
      assert.equal(verifyToken(rotated, token, now).jti, claims.jti);
      assert.throws(() => verifyToken(rotated, token, claims.exp * 1000 + 60_000), { message: 'token expired' });
    });

    it('signs new tokens with the current secret', () => {
      const { token } = signToken(rotated, 'agent');
      assert.equal(jwt.decode(token, { complete: true })?.header.kid, keyId(Buffer.from(CURRENT)));
      assert.doesNotThrow(() => verifyToken(settingsWith(CURRENT), token));
      assert.throws(() => verifyToken(settingsWith(PREVIOUS), token), TokenError);
    });

    it('refuses a token of a secret that is no longer configured', () => {
      const { token } = signToken(settingsWith(PREVIOUS), 'agent');
      assert.throws(() => verifyToken(settingsWith(CURRENT), token), { message: 'invalid token' });
    });

    it('refuses a previous-key token that claims the current key id', () => {
      const { token } = signToken({ ...settingsWith(PREVIOUS), keys: [{ kid: rotated.keys[0].kid, secret: Buffer.from(PREVIOUS) }] }, 'agent');
      assert.throws(() => verifyToken(rotated, token), { message: 'invalid token' });
    });
  });

  it('reads raw and Bearer Authorization headers', () => {
    assert.equal(tokenFromHeader('abc'), 'abc');
    assert.equal(tokenFromHeader('Bearer abc'), 'abc');
    assert.equal(tokenFromHeader('bearer   abc '), 'abc');
    assert.equal(tokenFromHeader(['Bearer x', 'Bearer y']), 'x');
    assert.equal(tokenFromHeader(''), undefined);
    assert.equal(tokenFromHeader(undefined), undefined);
  });
});
