/**
 * The strict proto3-JSON validator the webhook tests rely on refuses what Dialogflow ES refuses, so a
 * passing webhook test means a parsable answer: unknown fields at any depth, unknown enum names, scalars
 * of the wrong type, two members of one oneof; and it accepts free JSON in Struct fields and null.
 */
import assert from 'node:assert/strict';
import { assertWebhookResponse, protoJsonProblems } from './helpers/proto-json';

const problems = (json: unknown, version: 'v2' | 'v2beta1' = 'v2'): string[] => protoJsonProblems(version, 'WebhookResponse', json);

describe('strict proto3-JSON validator (built from the protos @google-cloud/dialogflow ships)', () => {
  it('the v2beta1-only fields are unknown on v2, as Dialogflow reports them', () => {
    assert.deepEqual(problems({ liveAgentHandoff: true }), ['liveAgentHandoff: Cannot find field: liveAgentHandoff in message google.cloud.dialogflow.v2.WebhookResponse']);
    assert.match(problems({ endInteraction: true }).join(), /Cannot find field: endInteraction/);
    assert.match(problems({ triggerEndOfConversation: true }, 'v2beta1').join(), /Cannot find field: triggerEndOfConversation/);
    assert.deepEqual(problems({ liveAgentHandoff: true, endInteraction: true }, 'v2beta1'), []);
  });

  it('unknown fields at any depth, and the TELEPHONY platform or telephony messages on v2', () => {
    assert.match(problems({ fulfillmentMessages: [{ card: { title: 'x', buttons: [{ text: 'a', url: 'b' }] } }] }).join(), /fulfillmentMessages\[0\]\.card\.buttons\[0\]\.url: Cannot find field/);
    assert.match(problems({ fulfillmentMessages: [{ payload: {}, platform: 'TELEPHONY' }] }).join(), /Invalid enum value "TELEPHONY"/);
    assert.deepEqual(problems({ fulfillmentMessages: [{ payload: {}, platform: 'TELEPHONY' }] }, 'v2beta1'), []);
    assert.match(problems({ fulfillmentMessages: [{ telephonyTransferCall: { phoneNumber: '+1' } }] }).join(), /Cannot find field: telephonyTransferCall/);
    assert.match(problems({ sessionEntityTypes: [{ name: 'n', entityOverrideMode: 'OVERRIDE', entities: [] }] }).join(), /Invalid enum value "OVERRIDE"/);
  });

  it('scalar types and oneofs', () => {
    assert.match(problems({ fulfillmentText: 42 }).join(), /fulfillmentText: string expected/);
    assert.match(problems({ outputContexts: [{ name: 'c', lifespanCount: 1.5 }] }).join(), /lifespanCount: int32 expected/);
    assert.match(problems({ outputContexts: { name: 'c' } }).join(), /repeated field must be a JSON array/);
    assert.match(problems({ fulfillmentMessages: [{ text: { text: ['a'] }, image: { imageUri: 'u' } }] }).join(), /oneof message already has text/);
    assert.deepEqual(problems({ outputContexts: [{ name: 'c', lifespanCount: '3' }] }), []);
  });

  it('free JSON in Struct fields, proto names as well as JSON names, and null as the default', () => {
    assert.deepEqual(problems({ payload: { anything: [1, { deep: null }], 'x-y': true }, fulfillment_text: 'hi', source: null }), []);
    assert.match(problems({ payload: [1, 2] }).join(), /Struct must be a JSON object/);
    assert.throws(() => assertWebhookResponse('v2', { nope: 1 }), /not a valid v2 WebhookResponse/);
  });
});
