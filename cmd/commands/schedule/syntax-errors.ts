// clipanion answers an unknown flag or a missing argument with its usage text on stdout. The
// schedule commands answer it like any other bad input: one `error:` line on stderr, exit 1, and
// nothing done (the command line is checked before any command runs).
import { type BaseContext, Cli } from 'clipanion';

export function oneLineSyntaxErrors(cli: Cli, group: string): void {
  const run = cli.run.bind(cli) as (input: string[], context: Partial<BaseContext>) => Promise<number>;
  const wrapped = async (input: string[], context: Partial<BaseContext> = {}): Promise<number> => {
    if (Array.isArray(input) && input[0] === group) {
      const full = { ...Cli.defaultContext, ...context };
      try {
        cli.process(input, full);
      } catch (error) {
        const message = String((error as Error).message ?? error).split('\n')[0]!.trim();
        const command = input.slice(0, 2).filter((w) => !w.startsWith('-')).join(' ');
        const verbs = cli.definitions().map((d) => d.path.split(' ').slice(2)).filter((p) => p[0] === group).map((p) => p[1]);
        if (message.startsWith('Command not found')) full.stderr.write(`error: unknown command "kubectl velero ${command}": use kubectl velero ${group} ${verbs.join('|')}\n`);
        else full.stderr.write(`error: ${message.replace(/\.$/, '')}: see kubectl velero ${command} --help\n`);
        return 1;
      }
    }
    return run(input, context);
  };
  cli.run = wrapped as Cli['run'];
}
