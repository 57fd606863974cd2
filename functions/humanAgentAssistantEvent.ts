/** Entry point `humanAgentAssistantEvent`: Agent Assist `human-agent-assistant-event` notifications from Pub/Sub or Eventarc. */
import { http } from '@google-cloud/functions-framework';
import { eventFunction } from '../src/app/functions/events';

http('humanAgentAssistantEvent', eventFunction('human-agent-assistant-event'));
