/** Entry point `newMessageEvent`: Agent Assist `new-message-event` notifications from Pub/Sub or Eventarc. */
import { http } from '@google-cloud/functions-framework';
import { eventFunction } from '../src/events/function';

http('newMessageEvent', eventFunction('new-message-event'));
