/**
 * `POST /register-app`: a server-side application (the Python original's Twilio case) exchanges its
 * platform credentials for our JWT. Body `{"accountSid": "...", "authToken": "...",
 * "gcp_agent_assist_user": "..."}` → `200 {"token": "<JWT>"}`, or 401 / 429 / 503 as `/register`.
 * Without `APP_AUTH_OPTION` every request is refused.
 */
import { traceFields } from '../log';
import { clientAddress } from './client-address';
import { RefusedError } from './errors';
import { bodyObject, requestedUser, resolveDeps, sendFailure, sendToken, type RegistrationDeps, type RegistrationHandler } from './respond';
import { allowMethods } from '../http/edge';

const MAX_CREDENTIAL_LENGTH = 256;

function credential(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= MAX_CREDENTIAL_LENGTH ? value : undefined;
}

export function createRegisterAppHandler(deps: () => Promise<RegistrationDeps>): RegistrationHandler {
  return async (req, res) => {
    const resolved = await resolveDeps(deps, res);
    if (!resolved) return;
    const { jwt, config, gate, appProvider } = resolved;
    if (!allowMethods(req, res, ['POST'])) return;
    const address = clientAddress(req, config.trustedProxyHops);
    const fields = { route: 'register-app', provider: appProvider.name, address };
    const log = resolved.log.child(traceFields(req.headers['x-cloud-trace-context'], resolved.projectId));
    const body = bodyObject(req.body);
    const accountSid = credential(body?.accountSid);
    const authToken = credential(body?.authToken);
    try {
      const key = accountSid !== undefined && authToken !== undefined ? [appProvider.name, accountSid, authToken] : undefined;
      const { identity, cached } = await gate.pass(address, key, async () => {
        if (accountSid === undefined || authToken === undefined) throw new RefusedError('accountSid and authToken are required');
        return appProvider.check({ accountSid, authToken });
      });
      const jti = sendToken(res, jwt, requestedUser(req.body) ?? '', { subject: identity.subject });
      log.info('token issued', { ...fields, subject: identity.subject, cached, jti });
    } catch (error) {
      sendFailure(res, error, log, fields);
    }
  };
}
