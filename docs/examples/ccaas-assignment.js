/**
 * An example access module (docs/access.md): an agent may join a conversation only while the contact
 * center platform (CCaaS) says they are assigned to the interaction that conversation belongs to.
 *
 *     CONVERSATION_ACCESS=custom
 *     CONVERSATION_ACCESS_MODULE=/app/access/ccaas-assignment.js
 *     CCAAS_API_URL=https://api.ccaas.example.com     # the platform's REST API
 *     CCAAS_API_TOKEN=...                             # a service credential (mount it from Secret Manager)
 *
 * The platform keeps, on each interaction, the Dialogflow conversation it belongs to: the telephony
 * integration sets that attribute when it creates the conversation, at the moment it stores the same
 * name under the interaction's key with `POST /conversation-name`. The module asks which interactions
 * the agent is assigned to now,
 *
 *     GET {CCAAS_API_URL}/v1/agents/{agentId}/interactions?state=active
 *     Authorization: Bearer {CCAAS_API_TOKEN}
 *     → 200 {"interactions": [{"id": "…", "attributes": {"dialogflowConversation": "projects/P/locations/L/conversations/C"}}]}
 *
 * and allows the join when one of them names this conversation. 404 (the platform does not know the
 * agent) refuses. Any other answer, or none in time, throws: the relay then refuses with `unavailable`
 * (fail closed), logs it, and asks again on the next join. Answers are cached by the relay for
 * CONVERSATION_ACCESS_CACHE_SECONDS, so an agent unassigned from a call loses access within that time
 * for new joins (a socket already in the conversation stays in it).
 */
'use strict';

/**
 * The platform's id of the agent: the identity the registration provider vouched for (the JWT's `sub`,
 * such as `genesys:<id>`, without its prefix), else the JWT's user.
 */
function agentIdOf(who) {
  const sub = typeof who.claims.sub === 'string' ? who.claims.sub : '';
  const colon = sub.indexOf(':');
  return colon > 0 ? sub.slice(colon + 1) : who.user;
}

/** A conversation name without its location, as the relay names conversations. */
function withoutLocation(name) {
  return String(name).replace(/^(projects\/[^/]+)\/locations\/[^/]+\//, '$1/');
}

/**
 * @param {{user: string, project: string, claims: Record<string, unknown>}} who
 * @param {string} conversation `projects/P/conversations/C`
 * @param {{signal: AbortSignal}} options aborted when the relay stops waiting
 * @returns {Promise<boolean>}
 */
exports.canJoin = async function canJoin(who, conversation, options) {
  const base = process.env.CCAAS_API_URL;
  const token = process.env.CCAAS_API_TOKEN;
  if (!base || !token) throw new Error('CCAAS_API_URL and CCAAS_API_TOKEN must be set');
  const url = `${base.replace(/\/+$/, '')}/v1/agents/${encodeURIComponent(agentIdOf(who))}/interactions?state=active`;
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    signal: options && options.signal,
  });
  if (response.status !== 200) {
    await response.arrayBuffer(); // release the connection
    if (response.status === 404) return false;
    throw new Error(`CCaaS API answered ${response.status}`);
  }
  const body = await response.json();
  const interactions = Array.isArray(body && body.interactions) ? body.interactions : [];
  return interactions.some((interaction) => withoutLocation(interaction && interaction.attributes && interaction.attributes.dialogflowConversation) === conversation);
};
