/** Entry point `humanAgentAssistantEvent`: Agent Assist `human-agent-assistant-event` notifications from Pub/Sub or Eventarc. */
import { http } from '@google-cloud/functions-framework';
import { eventFunction } from '../src/events/function';

http('humanAgentAssistantEvent', eventFunction('human-agent-assistant-event'));
