/**
 * `APP_AUTH_OPTION=Twilio` for `/register-app`: a server-side application proves it holds the Twilio
 * account's credentials. `{accountSid, authToken}` are used as Basic credentials to fetch the account
 * `TWILIO_ACCOUNT_SID` from the Twilio Accounts API; only a 200 naming that very account is accepted.
 */
import { RefusedError } from '../errors';
import { callProvider, field } from './http';
import type { Identity, ProviderHttpOptions } from './provider';

export interface AppCredentials {
  readonly accountSid: string;
  readonly authToken: string;
}

/** Checks an application's credentials; resolves with its identity or throws like a Provider. */
export interface AppProvider {
  readonly name: string;
  check(credentials: AppCredentials): Promise<Identity>;
}

export interface TwilioAppOptions extends ProviderHttpOptions {
  /** `https://api.twilio.com`, or the configured override. */
  readonly apiBaseUrl: string;
  readonly accountSid: string;
}

export function twilioAppProvider(options: TwilioAppOptions): AppProvider {
  const url = `${options.apiBaseUrl}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}.json`;
  return {
    name: 'TwilioApp',
    async check({ accountSid, authToken }): Promise<Identity> {
      // Credentials of another account are refused before any call: nothing to learn from Twilio.
      if (accountSid !== options.accountSid) throw new RefusedError('account not allowed');
      const basic = Buffer.from(`${accountSid}:${authToken}`, 'utf8').toString('base64');
      const { json } = await callProvider('TwilioApp', url, {
        method: 'GET',
        headers: { Authorization: `Basic ${basic}`, Accept: 'application/json' },
      }, options.timeoutMs);
      if (field(json, 'sid') !== options.accountSid) throw new RefusedError('account not allowed');
      return { subject: `twilio-account:${accountSid}` };
    },
  };
}
