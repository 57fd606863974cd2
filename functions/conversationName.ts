/** Entry point `conversationName`: `GET/POST/DELETE /conversation-name` (see docs/proxy.md). */
import { http } from '@google-cloud/functions-framework';
import { conversationNameFunction } from '../src/app/functions/conversation-name';

http('conversationName', conversationNameFunction());
