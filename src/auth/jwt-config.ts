/**
 * Where the JWT secret comes from, in order: the file mounted at JWT_SECRET_PATH (Cloud Run and Cloud
 * Functions mount Secret Manager secrets as files), Secret Manager by name (JWT_SECRET_NAME), or
 * JWT_SECRET for local use. Local mode (`npm start`) generates a throwaway secret when none is given.
 * A secret shorter than 32 bytes, or none, is a configuration error: the process refuses to start.
 * Secret Manager is reached through `./secret-manager`, imported only when JWT_SECRET_NAME is used.
 */
import { randomBytes, createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SettingsReader, type Env, type SettingsTable } from '../config/settings';
import { MIN_SECRET_BYTES, type JwtSettings, type SigningKey } from './jwt';

export const JWT_SETTINGS = {
  JWT_SECRET_PATH: { doc: 'File holding the JWT secret (the Secret Manager secret mounted as a file).', default: '/secret/jwt_secret_key' },
  JWT_SECRET_NAME: {
    doc: 'Secret Manager secret (`projects/P/secrets/S` or `S`) holding the JWT secret, read when the file is absent: the latest version signs, the one before it still verifies.',
  },
  JWT_SECRET: { doc: 'The JWT secret itself, for local use; at least 32 bytes.', secret: true },
  JWT_PREVIOUS_SECRET: { doc: 'The previous JWT secret during a rotation: its tokens stay valid until they expire.', secret: true },
  JWT_TOKEN_LIFETIME: { doc: 'Minutes an issued JWT is valid.', default: '60' },
  JWT_ISSUER: { doc: 'The `iss` claim of issued tokens, checked on verify.', default: 'agent-assist-backend' },
  JWT_AUDIENCE: { doc: 'The `aud` claim of issued tokens, checked on verify.', default: 'agent-assist-desktop' },
  JWT_CLOCK_SKEW_SECONDS: { doc: 'Clock skew tolerated when checking expiry.', default: '30' },
} as const satisfies SettingsTable;

export interface JwtSecretSources {
  /** Reads a file, or resolves undefined when it does not exist. */
  readonly readSecretFile?: (path: string) => Promise<string | undefined>;
  /** Reads the latest version of a Secret Manager secret (and the one before it, for rotation). */
  readonly readSecretManager?: (name: string, projectId: string | undefined) => Promise<{ current: string; previous?: string }>;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A key id derived from the secret, so every instance sharing a secret names it alike. */
export function keyId(secret: Buffer): string {
  return createHash('sha256').update(secret).digest('base64url').slice(0, 12);
}

function toKey(secret: string): SigningKey {
  const bytes = Buffer.from(secret.trim(), 'utf8');
  return { kid: keyId(bytes), secret: bytes };
}

/** Loads the JWT settings, reading the secret from the first source that has one. */
export async function loadJwtSettings(env: Env, local = false, sources: JwtSecretSources = {}): Promise<Readonly<JwtSettings>> {
  const read = new SettingsReader(JWT_SETTINGS, env, local);
  const lifetimeMinutes = read.int('JWT_TOKEN_LIFETIME', 1, 24 * 60);
  const clockToleranceSeconds = read.int('JWT_CLOCK_SKEW_SECONDS', 0, 300);
  const projectId = env.GCP_PROJECT_ID?.trim() || (local ? 'local-project' : '');
  if (projectId === '') read.problem('GCP_PROJECT_ID is required (tokens are issued for one project)');

  const secrets: string[] = [];
  const fromFile = await (sources.readSecretFile ?? readIfExists)(read.str('JWT_SECRET_PATH') ?? '');
  const secretName = read.str('JWT_SECRET_NAME');
  if (fromFile !== undefined && fromFile.trim() !== '') {
    secrets.push(fromFile);
  } else if (secretName !== undefined) {
    const readSecretManager = sources.readSecretManager ?? (await import('./secret-manager')).readSecretManager;
    const { current, previous } = await readSecretManager(secretName, projectId || undefined);
    secrets.push(current);
    if (previous) secrets.push(previous);
  } else if (read.str('JWT_SECRET') !== undefined) {
    secrets.push(read.str('JWT_SECRET') as string);
  } else if (local) {
    secrets.push(randomBytes(32).toString('base64url'));
  }
  const previous = read.str('JWT_PREVIOUS_SECRET');
  if (previous !== undefined) secrets.push(previous);

  if (secrets.length === 0) {
    read.problem('no JWT secret: mount it at JWT_SECRET_PATH, name it in JWT_SECRET_NAME, or set JWT_SECRET');
  }
  for (const [index, secret] of secrets.entries()) {
    if (Buffer.byteLength(secret.trim(), 'utf8') < MIN_SECRET_BYTES) {
      read.problem(`the ${index === 0 ? 'current' : 'previous'} JWT secret is shorter than ${MIN_SECRET_BYTES} bytes`);
    }
  }
  return read.done({
    keys: secrets.map(toKey),
    issuer: read.str('JWT_ISSUER') ?? '',
    audience: read.str('JWT_AUDIENCE') ?? '',
    projectId,
    lifetimeMinutes,
    clockToleranceSeconds,
  });
}
