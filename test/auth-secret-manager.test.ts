/** The Secret Manager source of the JWT secret, with the client stubbed at its edge (no Google reached). */
import assert from 'node:assert/strict';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import sinon from 'sinon';
import { readSecretVersions, secretManagerReader, secretVersionName, type SecretVersionAccessor } from '../src/auth/secret-manager';
import { ConfigError } from '../src/config/settings';
import { UnavailableError } from '../src/errors';

const BASE = 'projects/123456/secrets/jwt/versions';

function grpcError(code: number): Error {
  return Object.assign(new Error(`grpc error ${code}`), { code });
}

/** A client whose versions are `versions[n]` (a string, or an error code), `latest` being the highest. */
function fakeClient(versions: Record<number, string | number>) {
  const latest = Math.max(...Object.keys(versions).map(Number));
  const accessSecretVersion = sinon.stub().callsFake(async ({ name }: { name: string }) => {
    const wanted = name.endsWith('/latest') ? latest : Number(name.split('/').pop());
    const value = versions[wanted];
    if (value === undefined) throw grpcError(5);
    if (typeof value === 'number') throw grpcError(value);
    return [{ name: `${BASE}/${wanted}`, payload: { data: new TextEncoder().encode(value) } }];
  });
  return { client: { accessSecretVersion } as SecretVersionAccessor, accessSecretVersion };
}

describe('Secret Manager JWT secret', () => {
  it('reads the latest version and the one before it', async () => {
    const { client, accessSecretVersion } = fakeClient({ 6: 'six', 7: 'seven' });
    assert.deepEqual(await readSecretVersions(client, 'jwt', 'my-project'), { current: 'seven', previous: 'six' });
    assert.deepEqual(accessSecretVersion.args.map(([request]) => (request as { name: string }).name), [
      'projects/my-project/secrets/jwt/versions/latest',
      `${BASE}/6`,
    ]);
  });

  it('has no previous key for a first version, or when the previous one is disabled or destroyed', async () => {
    assert.deepEqual(await readSecretVersions(fakeClient({ 1: 'one' }).client, 'jwt', 'p'), { current: 'one' });
    assert.deepEqual(await readSecretVersions(fakeClient({ 2: 9, 3: 'three' }).client, 'jwt', 'p'), { current: 'three' });
    assert.deepEqual(await readSecretVersions(fakeClient({ 5: 'five' }).client, 'jwt', 'p'), { current: 'five' });
  });

  it('names the secret in every accepted form', () => {
    assert.equal(secretVersionName('jwt', 'p'), 'projects/p/secrets/jwt/versions/latest');
    assert.equal(secretVersionName('projects/q/secrets/jwt', 'p'), 'projects/q/secrets/jwt/versions/latest');
    assert.equal(secretVersionName('projects/q/secrets/jwt/versions/3', 'p'), 'projects/q/secrets/jwt/versions/3');
    assert.throws(() => secretVersionName('jwt', undefined), ConfigError);
    assert.throws(() => secretVersionName('projects/q/jwt', 'p'), ConfigError);
  });

  it('stops the start on a secret that cannot be read, and answers 503-style while Google is unreachable', async () => {
    for (const code of [5, 7]) {
      const client = { accessSecretVersion: sinon.stub().rejects(grpcError(code)) };
      await assert.rejects(readSecretVersions(client, 'jwt', 'p'), ConfigError);
    }
    const unreachable = { accessSecretVersion: sinon.stub().rejects(grpcError(14)) };
    await assert.rejects(readSecretVersions(unreachable, 'jwt', 'p'), UnavailableError);
  });

  it('caches a success for the process, and retries after a failure', async () => {
    const { accessSecretVersion } = fakeClient({ 4: 'four', 5: 'five' });
    const flaky = sinon.stub();
    flaky.onFirstCall().rejects(grpcError(14));
    flaky.callsFake((request: { name: string }) => accessSecretVersion(request));
    const factory = sinon.stub().resolves({ accessSecretVersion: flaky });
    const read = secretManagerReader(factory);
    await assert.rejects(read('jwt', 'p'), UnavailableError);
    assert.deepEqual(await read('jwt', 'p'), { current: 'five', previous: 'four' });
    assert.deepEqual(await read('jwt', 'p'), { current: 'five', previous: 'four' });
    assert.equal(factory.callCount, 1, 'one client per process');
    assert.equal(flaky.callCount, 3, 'one failed call, then latest and previous once');
  });

  it('uses the real client library, loaded on first use', async () => {
    const stub = sinon.stub(SecretManagerServiceClient.prototype, 'accessSecretVersion');
    try {
      stub.callsFake((async (request: { name?: string | null }) => {
        const version = request.name?.endsWith('/latest') ? 2 : 1;
        return [{ name: `${BASE}/${version}`, payload: { data: Buffer.from(`secret-${version}`) } }];
      }) as never);
      const read = secretManagerReader();
      assert.deepEqual(await read('projects/p/secrets/jwt', undefined), { current: 'secret-2', previous: 'secret-1' });
      assert.equal(stub.callCount, 2);
    } finally {
      stub.restore();
    }
  });
});
