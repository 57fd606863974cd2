/**
 * The registration functions as deployed (`register`, `registerApp`): configuration, JWT secret and
 * provider are read from the environment on the first request of the process and shared by both entry
 * points; nothing is read or connected at import. The `register` function also serves the refresh path
 * (`…/register/refresh`, its own path `/refresh`).
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { loadJwtSettings, type JwtSecretSources } from '../auth/jwt-config';
import type { Env } from '../config/settings';
import { createLogger } from '../log';
import { lazy } from '../runtime';
import { createRegisterAppHandler } from './app-handler';
import { loadRegisterConfig } from './config';
import { withCors } from './cors';
import { createRegisterHandler } from './handler';
import { createRefreshHandler } from './refresh';
import { buildRegistration } from './registration';

type Handler = (req: Request, res: Response) => Promise<void>;

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
export function createRegistrationFunctions(env: () => Env = () => process.env, sources: JwtSecretSources = {}): RegistrationFunctions {
  const log = createLogger('register');
  const deps = lazy(async () => {
    const values = env();
    const config = loadRegisterConfig(values);
    const jwt = await loadJwtSettings(values, false, sources);
    return buildRegistration({ config, local: false, log, jwt, projectId: values.GCP_PROJECT_ID });
  }, log);
  const register = createRegisterHandler(deps);
  const refresh = createRefreshHandler(deps);
  return {
    register: withCors((req, res) => (isRefresh(req) ? refresh(req, res) : register(req, res)), env),
    registerApp: withCors(createRegisterAppHandler(deps), env),
  };
}

let shared: RegistrationFunctions | undefined;

/** The process's registration functions (what the entry points in `functions/` register). */
export function registrationFunctions(): RegistrationFunctions {
  shared ??= createRegistrationFunctions();
  return shared;
}
