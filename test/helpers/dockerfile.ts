/**
 * A Dockerfile read as its instructions (continuations joined, comments dropped), split into stages, for the
 * tests that check it and assemble its runtime stage without a Docker engine.
 */
import { readFileSync } from 'node:fs';

export interface Instruction {
  /** Upper-cased keyword: FROM, RUN, COPY, ... */
  readonly op: string;
  /** Everything after the keyword. */
  readonly rest: string;
}

export interface Stage {
  /** The `FROM` image. */
  readonly image: string;
  /** `AS <name>`, if any. */
  readonly name?: string;
  readonly instructions: readonly Instruction[];
}

/** The instructions of a Dockerfile, in order. */
export function parseDockerfile(path: string): Instruction[] {
  return readFileSync(path, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => ({ op: line.split(/\s+/)[0].toUpperCase(), rest: line.slice(line.indexOf(' ') + 1).trim().replace(/\s+/g, ' ') }));
}

/** The stages of a Dockerfile (`FROM image [AS name]` and what follows it). */
export function stagesOf(instructions: readonly Instruction[]): Stage[] {
  const stages: Array<{ image: string; name?: string; instructions: Instruction[] }> = [];
  for (const instruction of instructions) {
    if (instruction.op === 'FROM') {
      const [image, as, name] = instruction.rest.split(' ');
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** `KEY=value` pairs of an `ENV` instruction (the `ENV KEY value` form is not used here). */
export function envOf(instruction: Instruction): Record<string, string> {
  return Object.fromEntries(instruction.rest.split(' ').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}
