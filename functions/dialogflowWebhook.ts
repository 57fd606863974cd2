/** Entry point `dialogflowWebhook`: the Dialogflow ES fulfillment webhook, serving the example intent map (docs/webhook.md). */
import { http } from '@google-cloud/functions-framework';
import { exampleIntentMap } from '../src/webhook/example-agent';
import { webhookFunction } from '../src/app/functions/webhook';

http('dialogflowWebhook', webhookFunction(exampleIntentMap));
