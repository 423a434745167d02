import { Command, Option } from 'clipanion';
import { BaseCommand } from '../base-command.ts';
import { versionInfo } from '../../internal/version/version.ts';
import { parseOutputFormat, renderStructured } from '../../internal/output/format.ts';

export class VersionCommand extends BaseCommand {
  static override paths = [['version']];

  static override usage = Command.Usage({
    description: 'print the plugin version',
    details: 'Prints the kubectl-velero version, the git commit it was built from and the Node.js version that runs it.',
    examples: [
      ['Print the version', 'kubectl velero version'],
      ['Print it as JSON', 'kubectl velero version -o json'],
    ],
  });

  output = Option.String('-o,--output', { description: 'output format: table (default), json or yaml' });

  async run(): Promise<number> {
    const format = parseOutputFormat(this.output);
    const info = versionInfo();
    if (format === 'table') {
      this.context.stdout.write(
        `Client:\n\tVersion: ${info.version}\n\tGit commit: ${info.gitCommit}\n\tNode.js: ${info.nodeVersion} (${info.platform})\n`,
      );
    } else {
      this.context.stdout.write(renderStructured({ client: info }, format));
    }
    return 0;
  }
}
