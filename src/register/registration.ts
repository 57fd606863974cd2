/**
 * Composition of token registration: from a loaded configuration and a source of JWT settings, the
 * dependencies the handlers share (one gate, so the cache and the failure limit span `/register`,
 * `/register/refresh` and `/register-app`), and the routes the relay and the local stack mount.
 */
import type { JwtSettings } from '../auth/jwt';
import type { Route } from '../http/app';
import type { Logger } from '../log';
import { createRegisterAppHandler } from './app-handler';
import type { RegisterConfig } from './config';
import { Gate } from './gate';
import { createRegisterHandler } from './handler';
import { createAppProvider, createProvider } from './providers';
import { createRefreshHandler } from './refresh';
import type { RegistrationDeps } from './respond';

export interface RegistrationOptions {
  readonly config: RegisterConfig;
  /** Local mode: without AUTH_OPTION, registrations are accepted with a warning. */
  readonly local: boolean;
  readonly log: Logger;
  readonly jwt: JwtSettings;
  readonly projectId?: string;
}

/** Builds the shared dependencies (loads a custom provider's module, if any). */
export async function buildRegistration(options: RegistrationOptions): Promise<RegistrationDeps> {
  const { config, local, log, jwt, projectId } = options;
  if (config.authOption === 'Skip') log.warn('AUTH_OPTION=Skip: every platform token is accepted');
  return {
    jwt,
    log,
    config,
    gate: new Gate(config),
    provider: await createProvider(config, local, log),
    appProvider: createAppProvider(config),
    projectId,
  };
}

/** The paths of registration on the relay and in the local stack. */
export const REGISTRATION_PATHS = { register: '/register', refresh: '/register/refresh', registerApp: '/register-app' } as const;

/** The registration routes, every one answering from the same dependencies. */
export function registrationRoutes(deps: () => Promise<RegistrationDeps>): Route[] {
  return [
    { method: 'all', path: REGISTRATION_PATHS.register, handler: createRegisterHandler(deps) },
    { method: 'all', path: REGISTRATION_PATHS.refresh, handler: createRefreshHandler(deps) },
    { method: 'all', path: REGISTRATION_PATHS.registerApp, handler: createRegisterAppHandler(deps) },
  ];
}
