/**
 * Conversation names. Agent Assist names a conversation `projects/P/locations/L/conversations/C` or
 * `projects/P/conversations/C`; desktops join by either. Everything keyed by conversation (rooms,
 * Redis keys, the `conversation_name` field of events) uses the name without its location, as the
 * Python UI connector did, so both spellings reach the same room.
 */

const SEGMENT = '[A-Za-z0-9][A-Za-z0-9_.-]{0,127}';
const NAME = new RegExp(`^projects/(${SEGMENT})/(?:locations/(${SEGMENT})/)?conversations/(${SEGMENT})$`);

export interface ConversationName {
  readonly project: string;
  /** Location, when the name had one. */
  readonly location?: string;
  readonly conversationId: string;
  /** `projects/P/conversations/C`: the key for rooms, channels and history. */
  readonly key: string;
}

/** Parses a conversation name, or returns undefined when it is not one. */
export function parseConversationName(value: unknown): ConversationName | undefined {
  if (typeof value !== 'string' || value.length > 512) return undefined;
  const match = NAME.exec(value);
  if (!match) return undefined;
  const [, project, location, conversationId] = match;
  return { project, location, conversationId, key: `projects/${project}/conversations/${conversationId}` };
}

/** The location-less key of a conversation name, or undefined when malformed. */
export function conversationKey(value: unknown): string | undefined {
  return parseConversationName(value)?.key;
}

/** Why a value is not a conversation name, for acknowledgements and error frames. */
export function describeBadName(value: unknown): string {
  if (typeof value !== 'string' || value === '') return 'conversation name must be a non-empty string';
  return 'conversation name must look like projects/P/conversations/C or projects/P/locations/L/conversations/C';
}
