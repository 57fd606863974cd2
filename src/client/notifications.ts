/**
 * The Agent Assist notifications a desktop receives, as `event.data` of each data type: the JSON form
 * (camelCase, enums as names) of `google.cloud.dialogflow.v2.HumanAgentAssistantEvent` and
 * `ConversationEvent`. Every field is optional, as in proto3 JSON, where a default value is left out.
 * test/client-types.test.ts checks each field name against the protos `@google-cloud/dialogflow` ships.
 */

/** The four data types, which are also the event routes' paths. */
export type DataType =
  | 'human-agent-assistant-event'
  | 'new-message-event'
  | 'conversation-lifecycle-event'
  | 'new-recognition-result-notification-event';

/** `google.rpc.Status`. */
export interface Status {
  code?: number;
  message?: string;
  details?: unknown[];
}

/** `Participant.Role`. */
export type ParticipantRole = 'ROLE_UNSPECIFIED' | 'HUMAN_AGENT' | 'AUTOMATED_AGENT' | 'END_USER';

/** `Message`: one utterance of the conversation. */
export interface Message {
  name?: string;
  content?: string;
  languageCode?: string;
  participant?: string;
  participantRole?: ParticipantRole;
  /** RFC 3339 timestamps. */
  createTime?: string;
  sendTime?: string;
  messageAnnotation?: { parts?: Array<{ text?: string; entityType?: string; formattedValue?: unknown }>; containEntities?: boolean };
  sentimentAnalysis?: { queryTextSentiment?: { score?: number; magnitude?: number } };
}

/** `StreamingRecognitionResult`: an intermediate or final transcript. */
export interface StreamingRecognitionResult {
  messageType?: 'MESSAGE_TYPE_UNSPECIFIED' | 'TRANSCRIPT' | 'DTMF_DIGITS' | 'END_OF_SINGLE_UTTERANCE' | 'PARTIAL_DTMF_DIGITS' | 'SPEECH_ACTIVITY_BEGIN' | 'SPEECH_ACTIVITY_END';
  transcript?: string;
  isFinal?: boolean;
  confidence?: number;
  speechWordInfo?: Array<{ word?: string; startOffset?: string; endOffset?: string; confidence?: number }>;
  /** A duration, such as `"1.500s"`. */
  speechEndOffset?: string;
  languageCode?: string;
}

/** `ConversationEvent.Type`. */
export type ConversationEventType =
  | 'TYPE_UNSPECIFIED'
  | 'CONVERSATION_STARTED'
  | 'CONVERSATION_FINISHED'
  | 'HUMAN_INTERVENTION_NEEDED'
  | 'NEW_MESSAGE'
  | 'NEW_RECOGNITION_RESULT'
  | 'UNRECOVERABLE_ERROR';

/** `ConversationEvent`: lifecycle changes, new messages and recognition results. */
export interface ConversationEvent {
  conversation?: string;
  type?: ConversationEventType;
  errorStatus?: Status;
  newMessagePayload?: Message;
  newRecognitionResultPayload?: StreamingRecognitionResult;
}

/** `ArticleAnswer`. */
export interface ArticleAnswer {
  title?: string;
  uri?: string;
  snippets?: string[];
  confidence?: number;
  metadata?: Record<string, string>;
  answerRecord?: string;
}

/** `FaqAnswer`. */
export interface FaqAnswer {
  answer?: string;
  confidence?: number;
  question?: string;
  source?: string;
  metadata?: Record<string, string>;
  answerRecord?: string;
}

/** `SmartReplyAnswer`. */
export interface SmartReplyAnswer {
  reply?: string;
  confidence?: number;
  answerRecord?: string;
}

/** `KnowledgeAssistAnswer`. */
export interface KnowledgeAssistAnswer {
  suggestedQuery?: { queryText?: string };
  suggestedQueryAnswer?: {
    answerText?: string;
    faqSource?: { question?: string };
    generativeSource?: { snippets?: Array<{ uri?: string; text?: string; title?: string; metadata?: Record<string, unknown> }> };
  };
  answerRecord?: string;
}

/** `GeneratorSuggestion` (generators: free-form, summary, coaching). */
export interface GeneratorSuggestion {
  freeFormSuggestion?: { response?: string };
  summarySuggestion?: { summarySections?: Array<{ section?: string; summary?: string }> };
  agentCoachingSuggestion?: Record<string, unknown>;
  toolCallInfo?: Array<Record<string, unknown>>;
}

/** `SuggestionResult`: one of the responses, or an error. */
export interface SuggestionResult {
  error?: Status;
  suggestArticlesResponse?: { articleAnswers?: ArticleAnswer[]; latestMessage?: string; contextSize?: number };
  suggestKnowledgeAssistResponse?: { knowledgeAssistAnswer?: KnowledgeAssistAnswer; latestMessage?: string; contextSize?: number };
  suggestFaqAnswersResponse?: { faqAnswers?: FaqAnswer[]; latestMessage?: string; contextSize?: number };
  suggestSmartRepliesResponse?: { smartReplyAnswers?: SmartReplyAnswer[]; latestMessage?: string; contextSize?: number };
  generateSuggestionsResponse?: {
    generatorSuggestionAnswers?: Array<{ generatorSuggestion?: GeneratorSuggestion; sourceGenerator?: string; answerRecord?: string }>;
    latestMessage?: string;
  };
}

/** `HumanAgentAssistantEvent`: suggestions for the agent. */
export interface HumanAgentAssistantEvent {
  conversation?: string;
  participant?: string;
  suggestionResults?: SuggestionResult[];
}

/** `event.data` for each data type. */
export interface NotificationData {
  'human-agent-assistant-event': HumanAgentAssistantEvent;
  'new-message-event': ConversationEvent;
  'conversation-lifecycle-event': ConversationEvent;
  'new-recognition-result-notification-event': ConversationEvent;
}

/** One event as a subscription hands it over; narrowing on `dataType` types `data`. */
export type RelayEvent = {
  [T in DataType]: {
    /** The event's id in the conversation's history (`<ms>-<seq>`): pass it as `after` to resume. */
    readonly id: string;
    /** `projects/P/conversations/C` (without location). */
    readonly conversation: string;
    readonly dataType: T;
    /** The Pub/Sub message id. */
    readonly messageId: string;
    /** When Pub/Sub received the notification (RFC 3339), or empty. */
    readonly publishTime: string;
    /** When the event function received it (RFC 3339). */
    readonly ackTime: string;
    /** Pub/Sub attributes (recognition results: `participant_role`, `message_id`). */
    readonly attributes: Readonly<Record<string, string>>;
    readonly data: NotificationData[T];
  };
}[DataType];
