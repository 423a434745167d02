import { Command, Option } from 'clipanion';
import { BaseCommand } from '../base-command.ts';
import { complete, formatCompletion, specsFromDefinitions } from '../complete/engine.ts';
import { completionScript, SHELLS, type Shell } from '../complete/scripts.ts';

export class CompletionCommand extends BaseCommand {
  static override paths = [['completion']];

  static override usage = Command.Usage({
    description: 'print a shell completion script',
    details: `
      Prints the completion script of \`kubectl-velero\` for bash, zsh, fish or powershell.

      \`kubectl velero …\` itself is completed by kubectl's own completion (\`kubectl completion <shell>\`, kubectl 1.26 or newer), which asks the \`kubectl_complete-velero\` helper shipped with the plugin: put it on your PATH (with Krew, copy it into \`~/.krew/bin\`; \`make install\` installs it). The script printed here completes \`kubectl-velero\` when you run it by that name.
    `,
    examples: [
      ['Load completion into the current bash', 'source <(kubectl velero completion bash)'],
      ['Install it for zsh', 'kubectl velero completion zsh > "${fpath[1]}/_kubectl-velero"'],
      ['Install it for fish', 'kubectl velero completion fish > ~/.config/fish/completions/kubectl-velero.fish'],
      ['Load it into PowerShell', 'kubectl velero completion powershell | Out-String | Invoke-Expression'],
    ],
  });

  shell = Option.String({ name: 'shell' });

  async run(): Promise<number> {
    if (!(SHELLS as readonly string[]).includes(this.shell)) {
      throw new Error(`unknown shell "${this.shell}": use one of ${SHELLS.join(', ')}`);
    }
    this.context.stdout.write(completionScript(this.shell as Shell));
    return 0;
  }
}

/**
 * `__complete <words…>`: cobra's completion protocol, which kubectl speaks to plugins through
 * kubectl_complete-velero. Hidden (no usage), like cobra's. Never writes to stderr: kubectl passes
 * the helper's stderr straight to the terminal the user is typing in.
 */
export class CompleteCommand extends Command {
  static override paths = [['__complete'], ['__completeNoDesc']];

  args = Option.Proxy();

  async execute(): Promise<number> {
    const withDescriptions = this.path[0] !== '__completeNoDesc';
    try {
      const specs = specsFromDefinitions(this.cli.definitions(), this.cli.binaryName);
      const result = await complete(specs, this.args, { env: this.context.env });
      this.context.stdout.write(formatCompletion(result, withDescriptions));
    } catch {
      this.context.stdout.write(':1\n');
    }
    return 0;
  }
}
