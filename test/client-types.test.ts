/**
 * `event.data` types of the client (src/client/notifications.ts) against the real schema: every field the
 * client declares must exist, with a compatible type, in the `google.cloud.dialogflow.v2` messages that
 * `@google-cloud/dialogflow` ships (their generated typings), read as proto3 JSON (enums by name,
 * Timestamp and Duration as strings). The check runs when `tsc` compiles this file: a field the protos do
 * not have fails the build, naming its path.
 */
import assert from 'node:assert/strict';
import type { google } from '@google-cloud/dialogflow/build/protos/protos';
import type { ConversationEvent, HumanAgentAssistantEvent, NotificationData, RelayEvent } from '../src/client/notifications';

/** The paths of `Ours` (as `.a.b`) that `Theirs` lacks or types differently; `never` when all fit. */
type Mismatch<Ours, Theirs, Path extends string = ''> = Ours extends readonly (infer E)[]
  ? [Theirs] extends [readonly (infer F)[]]
    ? Mismatch<E, NonNullable<F>, `${Path}[]`>
    : Path
  : Ours extends string
    ? [Theirs] extends [{ seconds?: unknown; nanos?: unknown }] // Timestamp and Duration are strings in JSON
      ? never
      : [Exclude<Ours, Theirs>] extends [never]
        ? never
        : Path
    : Ours extends number | boolean
      ? [Exclude<Ours, Theirs>] extends [never]
        ? never
        : Path
      : unknown extends Ours
        ? never
        : string extends keyof Ours // a map or Struct
          ? never
          : {
              [K in keyof Ours & string]-?: K extends keyof Theirs ? Mismatch<NonNullable<Ours[K]>, NonNullable<Theirs[K]>, `${Path}.${K}`> : `${Path}.${K}`;
            }[keyof Ours & string];

type Problems =
  | Mismatch<HumanAgentAssistantEvent, google.cloud.dialogflow.v2.IHumanAgentAssistantEvent>
  | Mismatch<ConversationEvent, google.cloud.dialogflow.v2.IConversationEvent>;

// Fails to compile (naming the paths) when a declared field is not in the protos.
const fits: [Problems] extends [never] ? true : Problems = true;

// The check is not vacuous: it names a field the protos lack, an enum value they do not have, and a wrong type.
const catches: [
  Mismatch<{ bogus?: string }, google.cloud.dialogflow.v2.IMessage>,
  Mismatch<{ participantRole?: 'CUSTOMER' }, google.cloud.dialogflow.v2.IMessage>,
  Mismatch<{ content?: number }, google.cloud.dialogflow.v2.IMessage>,
  Mismatch<{ suggestionResults?: Array<{ suggestArticlesResponse?: { articleAnswers?: Array<{ url?: string }> } }> }, google.cloud.dialogflow.v2.IHumanAgentAssistantEvent>,
] = ['.bogus', '.participantRole', '.content', '.suggestionResults[].suggestArticlesResponse.articleAnswers[].url'];

describe('relay client: event.data types against the Dialogflow v2 protos', () => {
  it('declares only fields the protos have (checked by tsc), and narrows data by dataType', () => {
    assert.equal(fits, true);
    assert.deepEqual(catches, ['.bogus', '.participantRole', '.content', '.suggestionResults[].suggestArticlesResponse.articleAnswers[].url']);
    const event = {
      id: '1-0',
      conversation: 'projects/p/conversations/c',
      dataType: 'new-recognition-result-notification-event',
      messageId: 'm',
      publishTime: '',
      ackTime: '',
      attributes: { participant_role: 'END_USER' },
      data: { type: 'NEW_RECOGNITION_RESULT', newRecognitionResultPayload: { transcript: 'hi', isFinal: true } },
    } satisfies RelayEvent;
    const data: NotificationData[typeof event.dataType] = event.data;
    assert.equal(data.newRecognitionResultPayload?.transcript, 'hi');
  });
});
