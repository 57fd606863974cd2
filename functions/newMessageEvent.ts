/** Entry point `newMessageEvent`: Agent Assist `new-message-event` notifications from Pub/Sub or Eventarc. */
import { http } from '@google-cloud/functions-framework';
import { eventFunction } from '../src/app/functions/events';

http('newMessageEvent', eventFunction('new-message-event'));
