/**
 * Settings of the conversation-name API.
 */
import { SettingsReader, type Env, type SettingsTable } from '../config/settings';

export const CONVERSATION_NAME_SETTINGS = {
  CONVERSATION_NAME_TTL_SECONDS: {
    doc: 'Seconds a conversation name set through `/conversation-name` is kept (the Python original kept them forever).',
    default: '86400',
  },
} as const satisfies SettingsTable;

export interface ConversationNameConfig {
  readonly ttlSeconds: number;
}

export function loadConversationNameConfig(env: Env, local = false): Readonly<ConversationNameConfig> {
  const read = new SettingsReader(CONVERSATION_NAME_SETTINGS, env, local);
  return read.done({ ttlSeconds: read.int('CONVERSATION_NAME_TTL_SECONDS', 1, 30 * 86400) });
}
