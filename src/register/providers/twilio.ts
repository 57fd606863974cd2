/**
 * `AUTH_OPTION=Twilio`: the Flex plugin's token is posted as `{"Token": …}` to the customer's Flex
 * serverless function at `https://{TWILIO_FLEX_ENVIRONMENT}/verify`, which validates it with Twilio and
 * answers 200 when it is good. When that answer names an account (`account_sid`, `accountSid`) and
 * `TWILIO_ACCOUNT_SID` is set, they must match; an answer of `{"valid": false}` is a refusal too.
 */
import { RefusedError } from '../errors';
import { callProvider, field } from './http';
import type { Identity, Provider, ProviderHttpOptions } from './provider';

export interface TwilioFlexOptions extends ProviderHttpOptions {
  /** `https://{TWILIO_FLEX_ENVIRONMENT}`, or the configured override. */
  readonly baseUrl: string;
  readonly accountSid?: string;
}

export function twilioProvider(options: TwilioFlexOptions): Provider {
  return {
    name: 'Twilio',
    async check(token): Promise<Identity> {
      const { json } = await callProvider('Twilio', `${options.baseUrl}/verify`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ Token: token }),
      }, options.timeoutMs);
      if ((json as { valid?: unknown } | undefined)?.valid === false) throw new RefusedError('platform token refused');
      const account = field(json, 'account_sid') ?? field(json, 'accountSid');
      if (account !== undefined && options.accountSid !== undefined && account !== options.accountSid) {
        throw new RefusedError('account not allowed');
      }
      const worker = field(json, 'worker_sid') ?? field(json, 'identity');
      return { subject: worker === undefined ? undefined : `twilio:${worker}`, user: field(json, 'identity') };
    },
  };
}
