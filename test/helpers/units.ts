/** Moved to support/units.ts (shared with bench/); re-exported so the tests' imports stay as they are. */
export * from '../../support/units';
