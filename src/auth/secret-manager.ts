/**
 * The JWT secret from Secret Manager (`JWT_SECRET_NAME`): the latest version signs, and the version
 * before it still verifies, so tokens issued before a rotation stay valid until they expire. Disabling
 * or destroying the previous version revokes its tokens at the next start. Read once per process and
 * cached (a failure is not cached, so the next request retries). `@google-cloud/secret-manager` is
 * imported on first use only: a function configured with a mounted secret file never loads it.
 */
import { ConfigError } from '../config/settings';
import { UnavailableError } from '../errors';

/** The one method of the Secret Manager client used here (tests stub it with sinon). */
export interface SecretVersionAccessor {
  accessSecretVersion(request: { name: string }): Promise<
    [{ name?: string | null; payload?: { data?: Uint8Array | string | null } | null }, ...unknown[]]
  >;
}

export type SecretManagerClientFactory = () => Promise<SecretVersionAccessor>;

/** The current secret and, when there is one, the previous version's. */
export interface SecretVersions {
  readonly current: string;
  readonly previous?: string;
}

// gRPC status codes: the ones that will not fix themselves on a retry are configuration errors.
const NOT_FOUND = 5;
const PERMISSION_DENIED = 7;
const FAILED_PRECONDITION = 9;

async function defaultClient(): Promise<SecretVersionAccessor> {
  const { SecretManagerServiceClient } = await import('@google-cloud/secret-manager');
  return new SecretManagerServiceClient() as unknown as SecretVersionAccessor;
}

/** `S`, `projects/P/secrets/S` or `projects/P/secrets/S/versions/V` → the version to read as current. */
export function secretVersionName(name: string, projectId: string | undefined): string {
  if (/^projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/]+$/.test(name)) return name;
  if (/^projects\/[^/]+\/secrets\/[^/]+$/.test(name)) return `${name}/versions/latest`;
  if (/^[A-Za-z0-9_-]+$/.test(name) && projectId) return `projects/${projectId}/secrets/${name}/versions/latest`;
  throw new ConfigError([`JWT_SECRET_NAME must be S (with GCP_PROJECT_ID) or projects/P/secrets/S[/versions/V] (got "${name.slice(0, 80)}")`]);
}

function code(error: unknown): number | undefined {
  const value = (error as { code?: unknown } | null)?.code;
  return typeof value === 'number' ? value : undefined;
}

function text(data: Uint8Array | string | null | undefined): string {
  if (data === null || data === undefined) return '';
  return typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
}

async function access(client: SecretVersionAccessor, name: string): Promise<{ name: string; secret: string }> {
  const [response] = await client.accessSecretVersion({ name });
  return { name: response.name ?? name, secret: text(response.payload?.data) };
}

/** Reads the versions of a secret (no cache); see `secretManagerReader` for the cached reader. */
export async function readSecretVersions(client: SecretVersionAccessor, name: string, projectId: string | undefined): Promise<SecretVersions> {
  const wanted = secretVersionName(name, projectId);
  let current: { name: string; secret: string };
  try {
    current = await access(client, wanted);
  } catch (error) {
    const status = code(error);
    if (status === NOT_FOUND || status === PERMISSION_DENIED || status === FAILED_PRECONDITION) {
      throw new ConfigError([`JWT secret ${wanted} cannot be read (code ${status}): check the name and the service account's secretAccessor role`]);
    }
    throw new UnavailableError('Secret Manager unavailable', { cause: error });
  }
  // The response names the version number that `latest` resolved to; the one before it is the previous key.
  const match = /^(.*\/versions\/)(\d+)$/.exec(current.name);
  const number = match ? Number(match[2]) : 0;
  if (!match || number <= 1) return { current: current.secret };
  try {
    const previous = await access(client, `${match[1]}${number - 1}`);
    return { current: current.secret, previous: previous.secret || undefined };
  } catch (error) {
    const status = code(error);
    // Destroyed, disabled or never readable: the previous key is revoked, which is the operator's call.
    if (status === NOT_FOUND || status === FAILED_PRECONDITION || status === PERMISSION_DENIED) return { current: current.secret };
    throw new UnavailableError('Secret Manager unavailable', { cause: error });
  }
}

/** A reader that creates its client on first use and caches each secret's versions for the process. */
export function secretManagerReader(client: SecretManagerClientFactory = defaultClient) {
  let instance: Promise<SecretVersionAccessor> | undefined;
  const cache = new Map<string, Promise<SecretVersions>>();
  return (name: string, projectId: string | undefined): Promise<SecretVersions> => {
    const key = `${projectId ?? ''}|${name}`;
    let versions = cache.get(key);
    if (!versions) {
      if (!instance) {
        const created = client();
        instance = created;
        created.catch(() => (instance = undefined));
      }
      const pending = instance.then((accessor) => readSecretVersions(accessor, name, projectId));
      versions = pending;
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
    }
    return versions;
  };
}

let shared: ReturnType<typeof secretManagerReader> | undefined;

/** The process's cached reader (what `loadJwtSettings` uses by default). */
export function readSecretManager(name: string, projectId: string | undefined): Promise<SecretVersions> {
  shared ??= secretManagerReader();
  return shared(name, projectId);
}
