/**
 * `POST /register`: a desktop exchanges its platform token for our JWT.
 * `Authorization: <platform token>` (raw or `Bearer`), optional body `{"gcp_agent_assist_user": "..."}`
 * → `200 {"token": "<JWT>"}`; 401 with a short reason when the provider refuses (or none is configured),
 * 429 when the client address failed too often, 503 when the provider cannot answer in time.
 */
import { tokenFromHeader } from '../auth/jwt';
import { traceFields } from '../log';
import { clientAddress } from './client-address';
import { RefusedError } from './errors';
import { requestedUser, resolveDeps, sendFailure, sendToken, type RegistrationDeps, type RegistrationHandler } from './respond';
import { allowMethods } from '../http/edge';

export function createRegisterHandler(deps: () => Promise<RegistrationDeps>): RegistrationHandler {
  return async (req, res) => {
    const resolved = await resolveDeps(deps, res);
    if (!resolved) return;
    const { jwt, config, gate, provider } = resolved;
    if (!allowMethods(req, res, ['POST'])) return;
    const address = clientAddress(req, config.trustedProxyHops);
    const fields = { route: 'register', provider: provider.name, address };
    const log = resolved.log.child(traceFields(req.headers['x-cloud-trace-context'], resolved.projectId));
    const token = tokenFromHeader(req.headers.authorization);
    try {
      const credential = token !== undefined && provider.cacheable !== false ? [provider.name, token] : undefined;
      const { identity, cached } = await gate.pass(address, credential, async () => {
        if (token === undefined && !provider.tokenOptional) throw new RefusedError('missing platform token');
        return provider.check(token ?? '', { headers: req.headers, body: req.body, address });
      });
      const user = requestedUser(req.body) ?? identity.user ?? '';
      const jti = sendToken(res, jwt, user, { subject: identity.subject });
      log.info('token issued', { ...fields, subject: identity.subject, cached, jti });
    } catch (error) {
      sendFailure(res, error, log, fields);
    }
  };
}
