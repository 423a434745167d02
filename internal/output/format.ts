// One place that turns a value into the output a user asked for with -o/--output.
import { stringify as toYaml } from 'yaml';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export class BadOutputFormatError extends Error {
  constructor(given: string) {
    super(`unknown output format "${given}": use one of ${OUTPUT_FORMATS.join(', ')}`);
  }
}

export function parseOutputFormat(given: string | undefined): OutputFormat {
  const value = given ?? 'table';
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new BadOutputFormatError(value);
}

/** Renders `value` as JSON or YAML; callers render tables themselves. */
export function renderStructured(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : toYaml(value);
}
