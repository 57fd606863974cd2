/**
 * The settings machinery: every environment variable the project reads is declared once, in a table
 * next to the module that uses it, with its default and its meaning. A `SettingsReader` reads values
 * from an environment object (never `process.env` directly, so tests pass plain objects) and collects
 * every problem, so a bad deployment learns all of its mistakes from one `ConfigError`.
 */

/** One environment variable: what it means and what it defaults to. */
export interface Setting {
  /** One sentence for the README's settings table. */
  readonly doc: string;
  /** Value used when the variable is unset (both in production and locally). */
  readonly default?: string;
  /** Value used only in local mode (`npm start` without `NODE_ENV=production`). */
  readonly localDefault?: string;
  /** Holds a secret: never logged, never echoed in an error. */
  readonly secret?: boolean;
}

export type SettingsTable = Readonly<Record<string, Setting>>;

export type Env = Readonly<Record<string, string | undefined>>;

/** Every problem found while reading the configuration, reported at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads typed values of the settings of one table, remembering every problem it meets. */
export class SettingsReader<T extends SettingsTable> {
  readonly problems: string[] = [];

  constructor(
    private readonly table: T,
    private readonly env: Env,
    /** Local mode (`npm start` without `NODE_ENV=production`) applies the local defaults. */
    private readonly local = false,
  ) {}

  /** The raw value: the environment's, else the local default (in local mode), else the default. */
  str(name: keyof T & string): string | undefined {
    const value = this.env[name];
    if (value !== undefined && value.trim() !== '') return value.trim();
    const setting = this.table[name];
    if (this.local && setting.localDefault !== undefined) return setting.localDefault;
    return setting.default;
  }

  required(name: keyof T & string): string {
    const value = this.str(name);
    if (value === undefined) {
      this.problems.push(`${name} is required`);
      return '';
    }
    return value;
  }

  int(name: keyof T & string, min: number, max: number): number {
    const raw = this.str(name);
    const value = Number(raw);
    if (raw === undefined || !Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}${this.shown(name, raw)}`);
      return min;
    }
    return value;
  }

  bool(name: keyof T & string): boolean {
    const raw = (this.str(name) ?? 'false').toLowerCase();
    if (raw === 'true' || raw === '1' || raw === 'yes') return true;
    if (raw === 'false' || raw === '0' || raw === 'no') return false;
    this.problems.push(`${name} must be true or false${this.shown(name, raw)}`);
    return false;
  }

  list(name: keyof T & string): string[] {
    return (this.str(name) ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
  }

  oneOf<V extends string>(name: keyof T & string, allowed: readonly V[]): V | undefined {
    const raw = this.str(name);
    if (raw === undefined) return undefined;
    const match = allowed.find((candidate) => candidate.toLowerCase() === raw.toLowerCase());
    if (match === undefined) this.problems.push(`${name} must be one of ${allowed.join(', ')}${this.shown(name, raw)}`);
    return match;
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws one ConfigError naming every problem, or returns the value frozen. */
  done<C extends object>(config: C): Readonly<C> {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return Object.freeze(config);
  }

  private shown(name: keyof T & string, raw: string | undefined): string {
    if (raw === undefined || this.table[name].secret) return '';
    return ` (got "${raw.slice(0, 40)}")`;
  }
}
