/**
 * The example agent: a small order-support intent map showing each kind of handler (welcome, reading a
 * parameter, setting a context, triggering a follow-up event, handing off to a live agent). The deployed
 * `dialogflowWebhook` function and the local stack serve it; docs/webhook.md walks through it.
 */
import { defineIntentMap, type IntentHandler } from './intent-map';

const welcome: IntentHandler = (agent) => {
  agent.text('Hi! I can check an order, or put you through to a person.');
  agent.quickReplies(['Check my order', 'Talk to a person'], { title: 'What would you like to do?' });
};

/** Reads the `order-number` parameter (an `@sys.number` or a custom entity). */
const orderStatus: IntentHandler = (agent) => {
  const order = agent.parameter('order-number');
  if (order === undefined || order === '') {
    agent.text('Which order number should I look up?');
    return;
  }
  agent.text(`Order ${String(order)} has shipped and should arrive within three days.`);
  // Remembered for the next turns, so "cancel it" knows which order.
  agent.setContext('order-followup', { lifespan: 3, parameters: { 'order-number': order } });
};

/** Triggers the CANCEL_ORDER event, whose intent confirms the cancellation. */
const cancelOrder: IntentHandler = (agent) => {
  const order = agent.context('order-followup')?.parameters['order-number'] ?? agent.parameter('order-number');
  if (order === undefined) {
    agent.text('Which order would you like to cancel?');
    return;
  }
  agent.deleteContext('order-followup');
  agent.followupEvent('CANCEL_ORDER', { 'order-number': order });
};

/**
 * Hands the conversation to a human, and tells the agents' desktops why. `liveAgentHandoff` exists on
 * v2beta1 agents only (`WEBHOOK_API_VERSION=v2beta1`); on a v2 agent it is left out of the answer with a
 * WARNING, the text is still sent, and the desktops' HUMAN_INTERVENTION_NEEDED notice carries the handoff.
 */
const handoff: IntentHandler = async (agent) => {
  agent.text('Let me put you through to a colleague. One moment, please.');
  agent.liveAgentHandoff();
  await agent.publish({ type: 'HUMAN_INTERVENTION_NEEDED', payload: { reason: 'customer-request', intent: agent.intent } });
};

const fallback: IntentHandler = (agent) => {
  agent.text(agent.timedOut ? 'Sorry, that is taking longer than expected. Could you try again?' : "Sorry, I didn't get that. Could you say it another way?");
};

export const exampleIntentMap = defineIntentMap({
  intents: {
    'Default Welcome Intent': welcome,
    'order.status': orderStatus,
    // Several display names may share one handler.
    'order.cancel': cancelOrder,
    'order.status - cancel': cancelOrder,
    'agent.handoff': handoff,
  },
  fallback,
});
