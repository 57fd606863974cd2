/**
 * `AUTH_OPTION=Salesforce`: the desktop's Salesforce access token is checked with Salesforce's OpenID
 * Connect userinfo endpoint (`https://{SALESFORCE_DOMAIN}/services/oauth2/userinfo`); the user's
 * organization must be `SALESFORCE_ORGANIZATION_ID`, compared as Salesforce ids (15 or 18 characters).
 */
import { UnavailableError } from '../../errors';
import { RefusedError } from '../errors';
import { callProvider, field } from './http';
import type { Identity, Provider, ProviderHttpOptions } from './provider';
import { sameSalesforceId } from './salesforce-id';

export interface SalesforceOptions extends ProviderHttpOptions {
  /** `https://{SALESFORCE_DOMAIN}`, or the configured override. */
  readonly baseUrl: string;
  /** The allowed organization id (either length). */
  readonly organizationId: string;
}

/**
 * Asks userinfo who `token` is and checks the organization. Shared by `Salesforce` and `SalesforceLWC`,
 * which differ only in whose token it is (an agent's, or a connected app's client-credentials token).
 */
export async function salesforceUserinfo(name: string, token: string, options: SalesforceOptions): Promise<{ userId: string; username?: string }> {
  // The token goes in the Authorization header, never in the URL, where proxies and access logs keep it.
  const { json } = await callProvider(name, `${options.baseUrl}/services/oauth2/userinfo`, {
    method: 'GET',
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
  }, options.timeoutMs);
  const userId = field(json, 'user_id');
  const organization = field(json, 'organization_id');
  if (userId === undefined) throw new UnavailableError(`${name} userinfo answered without user_id`);
  if (organization === undefined || !sameSalesforceId(organization, options.organizationId)) {
    throw new RefusedError('organization not allowed');
  }
  return { userId, username: field(json, 'preferred_username') };
}

/** The provider of agents' own Salesforce tokens. */
export function salesforceProvider(options: SalesforceOptions): Provider {
  return {
    name: 'Salesforce',
    async check(token): Promise<Identity> {
      const { userId, username } = await salesforceUserinfo('Salesforce', token, options);
      return { subject: `salesforce:${userId}`, user: username };
    },
  };
}
