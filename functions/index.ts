/**
 * Every entry point, for running any of them locally with the functions-framework
 * (`npx functions-framework --source=dist/functions/index.js --target=<entry point>`). A deployed unit
 * loads only its own file (see docs/deploy.md).
 */
import './humanAgentAssistantEvent';
import './newMessageEvent';
import './conversationLifecycleEvent';
import './newRecognitionResultNotificationEvent';
import './register';
import './registerApp';
import './dialogflowProxy';
import './conversationName';
import './dialogflowWebhook';
