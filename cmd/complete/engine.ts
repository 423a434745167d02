// Shell completion for kubectl-velero in cobra's `__complete` protocol, which kubectl (1.26+) uses
// for plugins: kubectl runs `kubectl_complete-velero <words typed after "velero"…> <word being
// completed>` and reads one candidate per line (`value<TAB>description`), then `:<directive>`.
// The same output serves the scripts of `kubectl velero completion <shell>`.
//
// Commands and flags come from clipanion's own registry (`cli.definitions()`), so every command
// registered in cmd/cli.ts completes without further work; object names come from names.ts.
import type { Definition } from 'clipanion';
import { listNames, nameKindForFlag, nameKindForPositional, type NameKind } from './names.ts';

/** cobra's ShellCompDirective bits. */
export const Directive = {
  Default: 0,
  Error: 1,
  NoSpace: 2,
  NoFileComp: 4,
  FilterFileExt: 8,
  FilterDirs: 16,
  KeepOrder: 32,
} as const;

export interface OptionSpec {
  /** e.g. ['-o', '--output'] */
  names: string[];
  takesValue: boolean;
  description?: string;
}

export interface CommandSpec {
  /** Words after the binary name, e.g. ['backup', 'create']. */
  path: string[];
  description?: string;
  options: OptionSpec[];
  /** Positional argument placeholders from the usage line, e.g. ['<name>']. */
  positionals: string[];
}

export interface Candidate {
  value: string;
  description?: string;
}

export interface CompletionResult {
  candidates: Candidate[];
  directive: number;
}

export interface CompletionEnv {
  env: Record<string, string | undefined>;
  /** Overrides the name lookup (tests); defaults to the listers registered in names.ts. */
  listNames?: (kind: NameKind, flags: ReadonlyMap<string, string>) => Promise<string[] | undefined>;
}

/** Values of flags that take one of a few words. Flags not listed here complete file names. */
const FLAG_VALUES: Record<string, string[]> = {
  output: ['table', 'json', 'yaml'],
};

/** Fixed choices for the positional arguments of some commands, by command path. */
const POSITIONAL_VALUES: Record<string, string[]> = {
  completion: ['bash', 'zsh', 'fish', 'powershell'],
};

const HELP: OptionSpec = { names: ['-h', '--help'], takesValue: false, description: 'show the help of this command' };

function firstLine(text: string | undefined): string | undefined {
  const line = text?.trim().split('\n')[0]?.trim();
  return line || undefined;
}

/** Turns clipanion's definitions into command specs; `binaryName` is the prefix of every path. */
export function specsFromDefinitions(definitions: Definition[], binaryName: string): CommandSpec[] {
  const words = (s: string) => s.split(/\s+/).filter(Boolean);
  const prefix = words(binaryName).length;
  return definitions.map((def) => {
    const path = words(def.path).slice(prefix);
    const positionals = words(def.usage)
      .slice(prefix + path.length)
      .filter((w) => !w.startsWith('-') && !w.startsWith('[-'));
    const options = def.options.map((o) => {
      const [names = '', ...rest] = words(o.definition);
      return {
        names: names.split(',').filter((n) => n.startsWith('-')),
        takesValue: rest.length > 0,
        description: firstLine(o.description),
      };
    });
    return { path, description: firstLine(def.description), options, positionals };
  });
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((w, i) => path[i] === w);
}

function longName(opt: OptionSpec): string {
  return (opt.names.find((n) => n.startsWith('--')) ?? opt.names[0] ?? '').replace(/^-+/, '');
}

async function flagValues(opt: OptionSpec, flags: ReadonlyMap<string, string>, env: CompletionEnv): Promise<CompletionResult> {
  const name = longName(opt);
  const fixed = FLAG_VALUES[name];
  if (fixed) return { candidates: fixed.map((value) => ({ value })), directive: Directive.NoFileComp };
  const kind = nameKindForFlag(name);
  if (kind) {
    const names = await (env.listNames ?? ((k, f) => listNames(k, f, env.env)))(kind, flags);
    return { candidates: (names ?? []).map((value) => ({ value })), directive: Directive.NoFileComp };
  }
  return { candidates: [], directive: Directive.Default };
}

function filter(result: CompletionResult, toComplete: string, prefix = ''): CompletionResult {
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  for (const c of result.candidates) {
    if (!c.value.startsWith(toComplete) || seen.has(c.value)) continue;
    seen.add(c.value);
    candidates.push({ ...c, value: prefix + c.value });
  }
  return { candidates, directive: result.directive };
}

/**
 * Completes the last of `args` (the word under the cursor, possibly empty) given the words before
 * it — exactly the arguments kubectl passes to kubectl_complete-velero.
 */
export async function complete(specs: CommandSpec[], args: readonly string[], env: CompletionEnv): Promise<CompletionResult> {
  const toComplete = args.length > 0 ? (args[args.length - 1] ?? '') : '';
  const typed = args.slice(0, -1);
  const path: string[] = [];
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  let pending: OptionSpec | undefined;
  let endOfOptions = false;

  const current = () => specs.find((s) => s.path.length === path.length && startsWith(s.path, path));
  const optionsHere = (): OptionSpec[] => [...(current()?.options ?? []), HELP];
  const findOption = (name: string) => optionsHere().find((o) => o.names.includes(name));

  for (const word of typed) {
    if (pending) {
      flags.set(longName(pending), word);
      pending = undefined;
      continue;
    }
    if (!endOfOptions && word === '--') {
      endOfOptions = true;
      continue;
    }
    if (!endOfOptions && word.startsWith('-') && word.length > 1) {
      const eq = word.indexOf('=');
      const name = eq > 0 ? word.slice(0, eq) : word;
      const opt = findOption(name);
      if (opt) {
        if (eq > 0) flags.set(longName(opt), word.slice(eq + 1));
        else if (opt.takesValue) pending = opt;
        else flags.set(longName(opt), 'true');
      }
      continue;
    }
    if (positionals.length === 0 && specs.some((s) => startsWith(s.path, [...path, word]))) path.push(word);
    else positionals.push(word);
  }

  // The value of a flag: `--output <TAB>` or `--output=<TAB>`.
  if (pending) return filter(await flagValues(pending, flags, env), toComplete);
  if (!endOfOptions && toComplete.startsWith('-')) {
    const eq = toComplete.indexOf('=');
    if (eq > 0) {
      const opt = findOption(toComplete.slice(0, eq));
      if (!opt?.takesValue) return { candidates: [], directive: Directive.NoFileComp };
      return filter(await flagValues(opt, flags, env), toComplete.slice(eq + 1), toComplete.slice(0, eq + 1));
    }
    const options = path.length === 0 && !current() ? [HELP, { names: ['--version'], takesValue: false, description: 'print the plugin version' }] : optionsHere();
    const candidates = options
      .filter((o) => !flags.has(longName(o)))
      .flatMap((o) => o.names.map((value) => ({ value, description: o.description })));
    return filter({ candidates, directive: Directive.NoFileComp }, toComplete);
  }

  // A sub-command word, or a positional argument of the command typed so far.
  const candidates: Candidate[] = [];
  if (positionals.length === 0) {
    for (const s of specs) {
      if (s.path.length <= path.length || !startsWith(s.path, path)) continue;
      const next = s.path[path.length] ?? '';
      const description = s.path.length === path.length + 1 ? s.description : `${[...path, next].join(' ')} commands`;
      candidates.push({ value: next, description });
    }
  }
  const spec = current();
  let directive: number = Directive.NoFileComp;
  if (spec && spec.positionals.length > 0) {
    const kind = nameKindForPositional(spec.path);
    const fixed = POSITIONAL_VALUES[spec.path.join(' ')];
    if (fixed) {
      if (positionals.length === 0) candidates.push(...fixed.map((value) => ({ value })));
    } else if (kind) {
      const names = await (env.listNames ?? ((k, f) => listNames(k, f, env.env)))(kind, flags);
      for (const value of names ?? []) if (!positionals.includes(value)) candidates.push({ value, description: kind });
    } else if (candidates.length === 0) {
      // An argument of unknown kind (often a file): let the shell complete file names.
      directive = Directive.Default;
    }
  }
  return filter({ candidates, directive }, toComplete);
}

/** cobra's wire format: `value<TAB>description` lines (or bare values), then `:<directive>`. */
export function formatCompletion(result: CompletionResult, withDescriptions: boolean): string {
  const lines = result.candidates.map((c) =>
    withDescriptions && c.description ? `${c.value}\t${c.description.replace(/[\t\n]+/g, ' ')}` : c.value,
  );
  lines.push(`:${result.directive}`);
  return `${lines.join('\n')}\n`;
}
