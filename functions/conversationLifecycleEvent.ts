/** Entry point `conversationLifecycleEvent`: Agent Assist `conversation-lifecycle-event` notifications from Pub/Sub or Eventarc. */
import { http } from '@google-cloud/functions-framework';
import { eventFunction } from '../src/app/functions/events';

http('conversationLifecycleEvent', eventFunction('conversation-lifecycle-event'));
