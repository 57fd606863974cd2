/**
 * Loads a function an integrator supplies as a module (AUTH_CUSTOM_MODULE's `check`,
 * CONVERSATION_ACCESS_MODULE's `canJoin`): once, at start, so a missing module or a missing export stops
 * the process with a clear message instead of failing on the first request.
 */
import { resolve } from 'node:path';
import { ConfigError } from './settings';

export interface IntegratorExport {
  /** The setting that names the module, for the message. */
  readonly setting: string;
  /** The module's path, relative to the working directory or absolute. */
  readonly path: string;
  /** The function's export name (also looked for on `default`). */
  readonly name: string;
  /** Whether the module itself, or its default export, may be the function. */
  readonly acceptBareFunction?: boolean;
}

function find(loaded: unknown, name: string, acceptBare: boolean): unknown {
  if (acceptBare && typeof loaded === 'function') return loaded;
  const module = loaded as Record<string, unknown> | undefined;
  if (typeof module?.[name] === 'function') return module[name];
  const inner = module?.default as Record<string, unknown> | undefined;
  if (acceptBare && typeof inner === 'function') return inner;
  return typeof inner?.[name] === 'function' ? inner[name] : undefined;
}

/** Imports the module and returns the named function; throws ConfigError when it cannot. */
export async function loadIntegratorFunction<T>(spec: IntegratorExport): Promise<T> {
  const path = resolve(spec.path);
  let loaded: unknown;
  try {
    loaded = await import(path);
  } catch (error) {
    throw new ConfigError([`${spec.setting} ${path} could not be loaded: ${(error as Error).message}`]);
  }
  const fn = find(loaded, spec.name, spec.acceptBareFunction ?? false);
  if (!fn) throw new ConfigError([`${spec.setting} ${path} exports no ${spec.name} function`]);
  return fn as T;
}
