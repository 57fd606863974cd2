/** Entry point `dialogflowProxy`: allowlisted Dialogflow calls from agent desktops (see docs/proxy.md). */
import { http } from '@google-cloud/functions-framework';
import { dialogflowProxyFunction } from '../src/app/functions/proxy';

http('dialogflowProxy', dialogflowProxyFunction());
