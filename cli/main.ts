// The `bpfdiff` command. Each subcommand lives in cli/commands/<name>.ts and exports
// `register(program)`; this file only wires them and turns user errors into one stderr line.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { UserError } from './user-error.ts';
import { commandsFor } from './commands/index.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('bpfdiff')
    .description('differential testing of the Linux BPF verifier and x86-64 JIT (stack-argument call graphs)')
    .version(`bpfdiff ${(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version}`, '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  for (const command of await commandsFor(argv)) command.register(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof UserError) {
      process.stderr.write(`bpfdiff: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bin/bpfdiff.js')) {
  // `bpfdiff ... | head`: a reader that closes the pipe early ends the output quietly, as it
  // does for any Unix tool, rather than with an EPIPE stack trace
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode === undefined ? 0 : Number(process.exitCode));
  });
  process.exitCode = await main(process.argv.slice(2));
}
