/**
 * Runs several modules' loaders and reports every problem of every one at once: an operator who got six
 * settings wrong learns all six from one start, instead of fixing one per deploy.
 */
import { ConfigError } from './settings';

/** What each loader returned, keyed as given; throws one ConfigError listing every problem of every loader. */
export async function gatherConfig<T extends Record<string, () => unknown>>(
  loaders: T,
): Promise<{ readonly [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, load] of Object.entries(loaders)) {
    try {
      values[key] = await load();
    } catch (error) {
      // Anything but a configuration problem (a secret store that cannot be reached) is not ours to list.
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as { readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };
}
