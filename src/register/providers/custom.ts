/**
 * `AUTH_OPTION=Custom`: a platform the project does not know. `AUTH_CUSTOM_MODULE` names a CommonJS module
 * (path absolute, or relative to the working directory) that exports one async function, as `check` or as
 * the module itself / its default:
 *
 *     exports.check = async (token, request) => ({ user: 'agent@example.com' }); // or true, or false
 *
 * It is called even when the request has no token (`token` is then ''). It resolves truthy to accept (an object may name `user` and `subject`), falsy to refuse (401). It throws
 * an error named `UnavailableError` when its platform cannot answer (503); any other throw is a fault
 * (500, logged). It is held to the same timeout as the built-in providers.
 */
import { loadIntegratorFunction } from '../../config/integrator-module';
import { UnavailableError } from '../../errors';
import { RefusedError } from '../errors';
import type { CheckRequest, Identity, Provider, ProviderHttpOptions } from './provider';

/** The function a custom module exports. */
export type CustomCheck = (token: string, request: CheckRequest) => Promise<unknown>;

/** Loads the module (once, when the provider is built) and wraps its function as a Provider. */
export async function customProvider(modulePath: string, options: ProviderHttpOptions): Promise<Provider> {
  const check = await loadIntegratorFunction<CustomCheck>({ setting: 'AUTH_CUSTOM_MODULE', path: modulePath, name: 'check', acceptBareFunction: true });
  return {
    name: 'Custom',
    // It may look at more than the token, so a success keyed by the token alone is not cached.
    cacheable: false,
    tokenOptional: true,
    async check(token, request): Promise<Identity> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new UnavailableError('Custom provider timed out')), options.timeoutMs);
      });
      let result: unknown;
      try {
        result = await Promise.race([check(token, request), timeout]);
      } catch (error) {
        if (error instanceof Error && error.name === 'UnavailableError' && !(error instanceof UnavailableError)) {
          throw new UnavailableError(`Custom provider unavailable: ${error.message}`, { cause: error });
        }
        throw error;
      } finally {
        clearTimeout(timer);
      }
      if (!result) throw new RefusedError('platform token refused');
      const named = typeof result === 'object' ? (result as { user?: unknown; subject?: unknown }) : {};
      return {
        user: typeof named.user === 'string' ? named.user : undefined,
        subject: typeof named.subject === 'string' ? `custom:${named.subject}` : undefined,
      };
    },
  };
}
