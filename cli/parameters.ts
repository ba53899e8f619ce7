import { InvalidInputError } from '@shoutu/shared/errors.js';
import { PipelineParameters } from '@shoutu/shared/detection/parameters.js';

/** Shared option definitions for commands that run detection (node:util parseArgs format). */
export const parameterOptions = {
  'tile-size': { type: 'string' },
  'min-area': { type: 'string' },
  'alert-on': { type: 'string' },
  'no-opening': { type: 'boolean' },
} as const;

function numberOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidInputError('argument_invalid', `--${flag} must be a number, got "${value}"`, { field: flag });
  return n;
}

/** Builds validated pipeline parameters from CLI flags; defaults apply for flags not given. */
export function parametersFromFlags(values: { 'tile-size'?: string; 'min-area'?: string; 'alert-on'?: string; 'no-opening'?: boolean }): PipelineParameters {
  const raw = {
    tileSize: numberOption(values['tile-size'], 'tile-size'),
    minAreaM2: numberOption(values['min-area'], 'min-area'),
    alertOn: values['alert-on'],
    opening: values['no-opening'] ? false : undefined,
  };
  const result = PipelineParameters.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const flag = { tileSize: 'tile-size', minAreaM2: 'min-area', alertOn: 'alert-on', opening: 'no-opening' }[String(issue.path[0])] ?? String(issue.path[0]);
    throw new InvalidInputError('argument_invalid', `--${flag}: ${issue.message}`, { field: flag });
  }
  return result.data;
}
