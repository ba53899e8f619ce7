/**
 * JSON with object keys in sorted order and a trailing newline: the same value always gives the same
 * bytes, whatever order the object was built in. Used for every object shoutu stores.
 */
export function stableJson(value: unknown, indent = 0): string {
  return JSON.stringify(sortKeys(value), null, indent) + '\n';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(`stableJson: non-finite number ${value}`);
  }
  return value;
}
