import type { Command } from 'commander';

/** Every command registers itself on the program; add one line per command module. */
export const COMMANDS: readonly ((program: Command) => void)[] = [];
