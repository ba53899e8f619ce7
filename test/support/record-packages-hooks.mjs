// Resolve hook of record-packages.mjs: a bare specifier ('zod', '@aws-sdk/client-s3/…') names a package.
import { appendFileSync } from 'node:fs';

const out = process.env.SHOUTU_RECORD_PACKAGES;

export async function resolve(specifier, context, next) {
  const bare = /^(@[^/]+\/[^/]+|[^./@][^/:]*)/.exec(specifier);
  if (out && bare && !specifier.startsWith('node:')) appendFileSync(out, `${bare[1]}\n`);
  return next(specifier, context);
}
