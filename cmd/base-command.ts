// Every plugin command extends this: failures a user can meet become one line on stderr and a
// non-zero exit; the stack trace only shows with --verbose.
import { Command, Option } from 'clipanion';
import { safeLine } from '../internal/text/quote.ts';

export abstract class BaseCommand extends Command {
  verbose = Option.Boolean('--verbose', false, { description: 'print stack traces of errors' });

  abstract run(): Promise<number>;

  async execute(): Promise<number> {
    try {
      return await this.run();
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      this.context.stderr.write(`error: ${safeLine(err.message)}\n`);
      if (this.verbose && err.stack) this.context.stderr.write(`${err.stack}\n`);
      return 1;
    }
  }
}
