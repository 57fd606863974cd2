/** Entry point `newRecognitionResultNotificationEvent`: Agent Assist `new-recognition-result-notification-event` notifications from Pub/Sub or Eventarc. */
import { http } from '@google-cloud/functions-framework';
import { eventFunction } from '../src/app/functions/events';

http('newRecognitionResultNotificationEvent', eventFunction('new-recognition-result-notification-event'));
