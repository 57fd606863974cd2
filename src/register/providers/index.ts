/**
 * Picks the provider of `AUTH_OPTION` and of `APP_AUTH_OPTION`. Only this file knows every provider;
 * each is a small module of its own. Built lazily: a custom module is loaded on the first registration.
 */
import type { Logger } from '../../log';
import type { RegisterConfig } from '../config';
import { customProvider } from './custom';
import { genesysProvider } from './genesys';
import type { Provider } from './provider';
import { refuseAllProvider } from './refuse-all';
import { salesforceProvider } from './salesforce';
import { salesforceLwcProvider } from './salesforce-lwc';
import { skipProvider } from './skip';
import { twilioProvider } from './twilio';
import { twilioAppProvider, type AppProvider } from './twilio-app';

/**
 * The provider of `/register`. Without AUTH_OPTION every token is refused, except in local mode
 * (`npm start`), which accepts with a warning so a developer can try the stack without a platform.
 */
export async function createProvider(config: RegisterConfig, local: boolean, log: Logger): Promise<Provider> {
  const http = { timeoutMs: config.timeoutMs };
  switch (config.authOption) {
    case 'Salesforce':
      return salesforceProvider({ ...http, ...config.salesforce });
    case 'SalesforceLWC':
      return salesforceLwcProvider({ ...http, ...config.salesforce });
    case 'GenesysCloud':
      return genesysProvider({ ...http, ...config.genesys });
    case 'Twilio':
      return twilioProvider({ ...http, baseUrl: config.twilio.flexBaseUrl, accountSid: config.twilio.accountSid });
    case 'Custom':
      return customProvider(config.customModule ?? '', http);
    case 'Skip':
      return skipProvider(log, 'AUTH_OPTION=Skip');
    case undefined:
      return local ? skipProvider(log, 'local mode, AUTH_OPTION unset') : refuseAllProvider();
  }
}

/** The provider of `/register-app`; without APP_AUTH_OPTION every application is refused. */
export function createAppProvider(config: RegisterConfig): AppProvider {
  if (config.appAuthOption === 'Twilio' && config.twilio.accountSid !== undefined) {
    return twilioAppProvider({ timeoutMs: config.timeoutMs, apiBaseUrl: config.twilio.apiBaseUrl, accountSid: config.twilio.accountSid });
  }
  const none = refuseAllProvider('application registration is not configured');
  return { name: none.name, check: () => none.check('', { headers: {}, body: undefined, address: '' }) };
}
