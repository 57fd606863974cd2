/**
 * `AUTH_OPTION=GenesysCloud`: the desktop's Genesys Cloud token is checked by asking
 * `https://api.{GENESYS_CLOUD_ENVIRONMENT}/api/v2/users/me` who it belongs to. When
 * `GENESYS_CLOUD_ORGANIZATION_ID` is set (the Python original had no organization check), the user's
 * organization must be it: a token of any other Genesys Cloud customer is refused.
 */
import { UnavailableError } from '../../errors';
import { RefusedError } from '../errors';
import { callProvider, field } from './http';
import type { Identity, Provider, ProviderHttpOptions } from './provider';

export interface GenesysOptions extends ProviderHttpOptions {
  /** `https://api.{GENESYS_CLOUD_ENVIRONMENT}`, or the configured override. */
  readonly baseUrl: string;
  readonly organizationId?: string;
}

export function genesysProvider(options: GenesysOptions): Provider {
  const query = options.organizationId === undefined ? '' : '?expand=organization';
  return {
    name: 'GenesysCloud',
    async check(token): Promise<Identity> {
      const { json } = await callProvider('GenesysCloud', `${options.baseUrl}/api/v2/users/me${query}`, {
        method: 'GET',
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      }, options.timeoutMs);
      const id = field(json, 'id');
      if (id === undefined) throw new UnavailableError('GenesysCloud users/me answered without id');
      if (options.organizationId !== undefined) {
        const organization = field((json as { organization?: unknown }).organization, 'id');
        // Genesys organization ids are UUIDs: compare without regard to case.
        if (organization?.toLowerCase() !== options.organizationId.toLowerCase()) throw new RefusedError('organization not allowed');
      }
      return { subject: `genesys:${id}`, user: field(json, 'email') ?? field(json, 'username') };
    },
  };
}
