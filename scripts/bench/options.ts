/** Command-line options of the benchmark scripts. */

/** `--name N`: a positive integer, or `fallback` when the option is not given. */
export function positiveIntOption(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} needs a positive integer`);
  return v;
}
