import type { Command } from 'commander';

// One entry per subcommand module; keep alphabetical.
export const commands: Array<(program: Command) => void> = [];
