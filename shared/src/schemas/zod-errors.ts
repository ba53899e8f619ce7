import type { z } from 'zod';
import { InvalidInputError } from '../errors.js';

/** Dotted path of a zod issue, e.g. `bands[2]`; `(root)` for the top level. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Parses with a zod schema; failures become an InvalidInputError naming the file and first bad field. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, code: string, file: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const first = issues[0]!;
  const field = issuePath(first.path);
  const detail = issues
    .slice(0, 5)
    .map((i) => `${issuePath(i.path)}: ${i.message}`)
    .join('; ');
  throw new InvalidInputError(code, `${file}: invalid ${field} (${detail})`, { file, field });
}

/** JSON.parse with an error that names the file. */
export function parseJsonOrThrow(text: string, code: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(code, `${file}: not valid JSON (${(error as Error).message})`, { file, field: '(root)', cause: error });
  }
}
