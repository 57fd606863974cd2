/**
 * Inline-editor code as Google published it (test/fulfillment-samples: only the require lines changed),
 * served over real HTTP through the functions-framework by the compatibility module: the editor's default
 * agent (as shipped, and with its starter handler uncommented), and two `dialogflow-fulfillment` samples
 * (temperature converter, multi-locale). Every answer is strictly valid v2 WebhookResponse JSON, with the
 * texts, cards, quick replies, images and contexts the code asks for, per request source.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FulfillmentFunction } from '../src/webhook/fulfillment';
import { capturedLogs } from './setup';
import { assertWebhookResponse } from './helpers/proto-json';
import { post, serveFunction, serveWebhook, SESSION, webhookRequest, type ServedWebhook } from './helpers/webhook';

const SAMPLES = join(__dirname, '..', '..', 'test', 'fulfillment-samples');

/** Loads a sample (its console.log lines, which print the whole request, are kept quiet here). */
function sample(name: string): FulfillmentFunction {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(join(SAMPLES, name)) as { dialogflowFirebaseFulfillment: FulfillmentFunction }).dialogflowFirebaseFulfillment;
}

const FACEBOOK = { source: 'facebook', payload: { data: { sender: { id: 'psid' } } } };
const GOOGLE = { source: 'google', version: '2', payload: {} };

describe('inline-editor code moved over with only its require lines changed', () => {
  const log = console.log;
  const debugEnv = process.env.DEBUG;
  const served: ServedWebhook[] = [];
  let inlineEditor: string;
  let starter: string;
  let temperature: string;
  let locale: string;
  before(async () => {
    console.log = () => undefined;
    const serve = async (name: string): Promise<string> => {
      const webhook = await serveWebhook(sample(name).intentMap);
      served.push(webhook);
      return webhook.url;
    };
    inlineEditor = await serve('inline-editor.js');
    starter = await serve('inline-editor-starter.js');
    temperature = await serve('temperature-converter.js');
    locale = await serve('multi-locale.js');
  });
  after(async () => {
    console.log = log;
    if (debugEnv === undefined) delete process.env.DEBUG;
    else process.env.DEBUG = debugEnv;
    await Promise.all(served.map((webhook) => webhook.close()));
  });

  async function answer(url: string, intent: string, overrides: Parameters<typeof webhookRequest>[1] = {}): Promise<Record<string, unknown>> {
    // No active contexts unless a test gives some, so outputContexts shows only what the code set.
    const reply = await post(url, webhookRequest(intent, { ...overrides, queryResult: { outputContexts: [], ...overrides.queryResult } }));
    assert.equal(reply.status, 200, reply.text);
    assertWebhookResponse('v2', reply.json);
    return reply.json!;
  }

  describe("the inline editor's default agent", () => {
    it('welcome: one text, sent as fulfillmentText as the library did', async () => {
      assert.deepEqual(await answer(inlineEditor, 'Default Welcome Intent'), { fulfillmentText: 'Welcome to my agent!' });
    });

    it('fallback: two texts; from Facebook they target Facebook', async () => {
      assert.deepEqual((await answer(inlineEditor, 'Default Fallback Intent')).fulfillmentMessages, [
        { text: { text: ["I didn't understand"] } },
        { text: { text: ["I'm sorry, can you try again?"] } },
      ]);
      assert.deepEqual(await answer(inlineEditor, 'Default Fallback Intent', { originalDetectIntentRequest: FACEBOOK }), {
        fulfillmentMessages: [
          { text: { text: ["I didn't understand"] }, platform: 'FACEBOOK' },
          { text: { text: ["I'm sorry, can you try again?"] }, platform: 'FACEBOOK' },
        ],
      });
    });

    it("an intent the map does not name answers {}: Dialogflow sends the intent's own responses", async () => {
      assert.deepEqual(await answer(inlineEditor, 'order.pizza'), {});
    });

    it('the deployed form: the exported function itself, configured from the environment', async () => {
      const webhook = await serveFunction(sample('inline-editor.js'));
      try {
        const reply = await post(webhook.url, webhookRequest('Default Welcome Intent'));
        assert.equal(reply.status, 200);
        assertWebhookResponse('v2', reply.json);
        assert.equal(reply.json?.fulfillmentText, 'Welcome to my agent!');
      } finally {
        await webhook.close();
      }
    });
  });

  describe('the default agent with its starter handler uncommented', () => {
    const card = {
      title: 'Title: this is a card title',
      subtitle: 'This is the body text of a card.  You can even use line\n  breaks and emoji! 💁',
      imageUri: 'https://dialogflow.com/images/api_home_laptop.svg',
      buttons: [{ text: 'This is a button', postback: 'https://docs.dialogflow.com/' }],
    };
    const weather = { name: `${SESSION}/contexts/weather`, lifespanCount: 2, parameters: { city: 'Rome' } };

    it('text, card, one quick-replies message for both suggestions, and the weather context', async () => {
      const body = await answer(starter, '<INTENT_NAME_HERE>');
      assert.deepEqual(body.fulfillmentMessages, [
        { text: { text: ["This message is from Dialogflow's Cloud Functions for Firebase inline editor!"] } },
        { card },
        { quickReplies: { quickReplies: ['Quick Reply', 'Suggestion'] } },
      ]);
      assert.deepEqual(body.outputContexts, [weather]);
    });

    it('from Slack, every message targets Slack', async () => {
      const body = await answer(starter, '<INTENT_NAME_HERE>', { originalDetectIntentRequest: { source: 'slack' } });
      assert.deepEqual(
        (body.fulfillmentMessages as Array<{ platform?: string }>).map((m) => m.platform),
        ['SLACK', 'SLACK', 'SLACK'],
      );
    });

    it('from the Google Assistant: a simple response, a basic card and suggestion chips', async () => {
      const body = await answer(starter, '<INTENT_NAME_HERE>', { originalDetectIntentRequest: GOOGLE });
      assert.deepEqual(body.fulfillmentMessages, [
        {
          simpleResponses: {
            simpleResponses: [
              {
                textToSpeech: "This message is from Dialogflow's Cloud Functions for Firebase inline editor!",
                displayText: "This message is from Dialogflow's Cloud Functions for Firebase inline editor!",
              },
            ],
          },
          platform: 'ACTIONS_ON_GOOGLE',
        },
        {
          basicCard: {
            title: card.title,
            formattedText: card.subtitle,
            image: { imageUri: card.imageUri, accessibilityText: card.title },
            buttons: [{ title: 'This is a button', openUriAction: { uri: 'https://docs.dialogflow.com/' } }],
          },
          platform: 'ACTIONS_ON_GOOGLE',
        },
        { suggestions: { suggestions: [{ title: 'Quick Reply' }, { title: 'Suggestion' }] }, platform: 'ACTIONS_ON_GOOGLE' },
      ]);
      assert.deepEqual(body.outputContexts, [weather]);
    });
  });

  describe("dialogflow-fulfillment's temperature converter sample", () => {
    const chips = (replies: string[]) => ({ quickReplies: { quickReplies: replies } });

    it('welcome: texts around a card, and three suggestions as one quick-replies message', async () => {
      assert.deepEqual((await answer(temperature, 'Default Welcome Intent')).fulfillmentMessages, [
        { text: { text: ['Welcome to the temperature converter!'] } },
        {
          card: {
            title: 'Vibrating molecules',
            subtitle: 'Did you know that temperature is really just a measure of how fast molecules are vibrating around?! 😱',
            imageUri: 'https://upload.wikimedia.org/wikipedia/commons/2/23/Thermally_Agitated_Molecule.gif',
            buttons: [{ text: 'Temperature Wikipedia Page', postback: 'https://en.wikipedia.org/wiki/Temperature' }],
          },
        },
        { text: { text: ['I can convert Celsius to Fahrenheit and Fahrenheit to Celsius! What temperature would you like to convert?'] } },
        chips(['27° Celsius', '-40° Fahrenheit', 'Cancel']),
      ]);
    });

    it('converts from the parameters, and keeps them in the temperature context for one turn', async () => {
      const body = await answer(temperature, 'Convert Fahrenheit and Celsius', { queryResult: { parameters: { temperature: 27, unit: 'Celsius' }, outputContexts: [] } });
      const messages = body.fulfillmentMessages as Array<Record<string, { title?: string }>>;
      assert.deepEqual(messages[0], { text: { text: [`27° Celsius is  ${27 * (9 / 5) + 32}° Fahrenheit`] } });
      assert.equal(messages[1].card.title, 'Fahrenheit');
      assert.deepEqual(messages[3], chips(['Kelvin', 'Rankine', 'Cancel']));
      assert.deepEqual(body.outputContexts, [{ name: `${SESSION}/contexts/temperature`, lifespanCount: 1, parameters: { temperature: 27, unit: 'Celsius' } }]);
    });

    it('reads the context back, answers with an image, and ends the context', async () => {
      const context = { name: `${SESSION}/contexts/temperature`, lifespanCount: 1, parameters: { temperature: 27, unit: 'Celsius' } };
      const system = { name: `${SESSION}/contexts/__system_counters__`, parameters: { 'no-input': 0 } };
      const body = await answer(temperature, 'Convert Rankine and Kelvin', {
        queryResult: { parameters: { absoluteTempUnit: 'Kelvin' }, outputContexts: [context, system] },
      });
      // The sample's own arithmetic (it compares the temperature with a unit name), kept as written.
      const kelvin = (27 - 32) * (5 / 9) + 273.15;
      assert.deepEqual(body.fulfillmentMessages, [
        { text: { text: [`27° Celsius is  ${kelvin}° Kelvin. Here is a picture of the namesake of the Rankine unit, William John Macquorn Rankine:`] } },
        { image: { imageUri: 'https://upload.wikimedia.org/wikipedia/commons/a/a0/Lord_Kelvin_photograph.jpg' } },
        { text: { text: ['Go ahead and say another temperature to get the conversion.'] } },
        chips(['27° Celsius', '-40° Fahrenheit', 'Cancel']),
      ]);
      // Only the context the handler ended goes back: __system_counters__ is not expired with it.
      assert.deepEqual(body.outputContexts, [{ name: `${SESSION}/contexts/temperature`, lifespanCount: 0 }]);
    });
  });

  describe("dialogflow-fulfillment's multi-locale sample", () => {
    it('answers in the language of the request, from the intent map of that language', async () => {
      assert.deepEqual(await answer(locale, 'Default Welcome Intent'), { fulfillmentText: 'Welcome to my agent!' });
      assert.deepEqual(await answer(locale, 'Default Welcome Intent', { queryResult: { languageCode: 'fr', outputContexts: [] } }), {
        fulfillmentText: 'Bienvenue à mon agent!',
      });
      assert.deepEqual(
        ((await answer(locale, 'Default Fallback Intent', { queryResult: { languageCode: 'fr', outputContexts: [] } })).fulfillmentMessages as unknown[]).length,
        2,
      );
    });

    it("a language it has no map for answers {} (the library never answered), with a WARNING", async () => {
      const request = webhookRequest('Default Welcome Intent', { queryResult: { languageCode: 'de', outputContexts: [] } });
      const reply = await post(locale, request);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json, {});
      assert.ok(capturedLogs().some((e) => e.responseId === request.responseId && e.message === "fulfillment callback did not call handleRequest; the intent's own responses answer"));
    });
  });
});
