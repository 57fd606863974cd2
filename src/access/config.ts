/**
 * Settings of conversation access: who may join which conversation on the relay (docs/access.md).
 */
import { SettingsReader, type Env, type SettingsTable } from '../config/settings';

export const ACCESS_MODES = ['project', 'custom'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

export const ACCESS_SETTINGS = {
  CONVERSATION_ACCESS: {
    doc: '`project`: a token joins any conversation of its own project (as the Python backend did); `custom`: `CONVERSATION_ACCESS_MODULE` decides each join as well (see docs/access.md).',
    default: 'project',
  },
  CONVERSATION_ACCESS_MODULE: {
    doc: 'With `CONVERSATION_ACCESS=custom`: path of a JavaScript module exporting `async canJoin(who, conversation)`; missing or without `canJoin`, the process does not start.',
  },
  CONVERSATION_ACCESS_CACHE_SECONDS: { doc: 'Seconds an answer of `canJoin` is reused for the same user and conversation; 0 asks on every join.', default: '30' },
  CONVERSATION_ACCESS_TIMEOUT_MS: { doc: 'Time `canJoin` has to answer; past it (or when it throws) the join is refused with `unavailable`.', default: '2000' },
} as const satisfies SettingsTable;

export interface AccessConfig {
  readonly mode: AccessMode;
  /** The module of `custom` mode (path absolute, or relative to the working directory). */
  readonly modulePath?: string;
  readonly cacheSeconds: number;
  readonly timeoutMs: number;
}

/** Reads the access settings; throws one ConfigError listing every problem. */
export function loadAccessConfig(env: Env, local = false): Readonly<AccessConfig> {
  const read = new SettingsReader(ACCESS_SETTINGS, env, local);
  const mode = read.oneOf('CONVERSATION_ACCESS', ACCESS_MODES) ?? 'project';
  const modulePath = read.str('CONVERSATION_ACCESS_MODULE');
  if (mode === 'custom' && modulePath === undefined) read.problem('CONVERSATION_ACCESS=custom needs CONVERSATION_ACCESS_MODULE');
  return read.done({
    mode,
    modulePath,
    cacheSeconds: read.int('CONVERSATION_ACCESS_CACHE_SECONDS', 0, 3600),
    timeoutMs: read.int('CONVERSATION_ACCESS_TIMEOUT_MS', 10, 60_000),
  });
}
