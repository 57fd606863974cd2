/**
 * The registration functions as deployed (`register`, `registerApp`): configuration, JWT secret and
 * provider are read from the environment on the first request of the process and shared by both entry
 * points; nothing is read or connected at import. The `register` function also serves the refresh path
 * (`…/register/refresh`, its own path `/refresh`).
 */
import type { Request } from '@google-cloud/functions-framework';
import { loadJwtSettings, type JwtSecretSources } from '../../auth/jwt-config';
import { gatherConfig } from '../../config/gather';
import type { Env } from '../../config/settings';
import type { Handler } from '../../http/handler';
import { createLogger } from '../../log';
import { createRegisterAppHandler } from '../../register/app-handler';
import { loadRegisterConfig } from '../../register/config';
import { createRegisterHandler } from '../../register/handler';
import { createRefreshHandler } from '../../register/refresh';
import { buildRegistration } from '../../register/registration';
import { applyCoreConfig, lazy, processEnv, withEnvCors } from '../runtime';

export interface RegistrationFunctions {
  /** `POST /` registers a platform token, `POST /refresh` renews our JWT. */
  readonly register: Handler;
  /** `POST /` registers an application by its platform credentials. */
  readonly registerApp: Handler;
}

/** Whether a request to the `register` function is for its refresh path. */
function isRefresh(req: Request): boolean {
  return /\/refresh\/?$/.test(req.path ?? '');
}

/** Both functions over one set of dependencies, read from `env()` on first use (tests pass their own). */
export function createRegistrationFunctions(env: () => Env = processEnv, sources: JwtSecretSources = {}): RegistrationFunctions {
  const log = createLogger('register');
  const deps = lazy(async () => {
    const values = env();
    const { core, register, jwt } = await gatherConfig({
      core: () => applyCoreConfig(values),
      register: () => loadRegisterConfig(values),
      jwt: () => loadJwtSettings(values, false, sources),
    });
    return buildRegistration({ config: register, local: false, log, jwt, projectId: core.projectId });
  }, log);
  const register = createRegisterHandler(deps);
  const refresh = createRefreshHandler(deps);
  return {
    register: withEnvCors((req, res) => (isRefresh(req) ? refresh(req, res) : register(req, res)), env),
    registerApp: withEnvCors(createRegisterAppHandler(deps), env),
  };
}

let shared: RegistrationFunctions | undefined;

/** The process's registration functions (what the entry points in `functions/` register). */
export function registrationFunctions(): RegistrationFunctions {
  shared ??= createRegistrationFunctions();
  return shared;
}
