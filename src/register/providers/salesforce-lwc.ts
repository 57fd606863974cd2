/**
 * `AUTH_OPTION=SalesforceLWC`: a Lightning Web Component obtains an access token with the OAuth
 * client-credentials flow of a connected app and presents it. It is checked at the same userinfo endpoint
 * with the same organization check as `Salesforce`; the user it names is the connected app's run-as
 * user, not the agent, so it is recorded as the subject but never offered as the agent's name.
 */
import type { Identity, Provider } from './provider';
import { salesforceUserinfo, type SalesforceOptions } from './salesforce';

export function salesforceLwcProvider(options: SalesforceOptions): Provider {
  return {
    name: 'SalesforceLWC',
    async check(token): Promise<Identity> {
      const { userId } = await salesforceUserinfo('SalesforceLWC', token, options);
      return { subject: `salesforce-app:${userId}` };
    },
  };
}
