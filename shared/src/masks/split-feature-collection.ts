/**
 * Where the features of a GeoJSON FeatureCollection lie in its UTF-8 bytes, so that a layer of a hundred
 * thousand parcels can be parsed one feature at a time instead of as one JSON document: JSON.parse of a whole
 * 5-million-vertex layer builds an object graph of about half a gigabyte (an array per position), which a
 * county's farmland layer must not cost a detection that otherwise stays within a few hundred megabytes.
 *
 * This only finds boundaries: each part is still parsed by JSON.parse, which rejects anything the scan let
 * through, and the caller parses the whole document instead whenever the scan returns null. The scan reads
 * bytes, not characters: every byte it looks for (quotes, backslash, brackets, braces, comma, colon) is
 * ASCII, and no byte of a multi-byte UTF-8 character is ASCII.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const FEATURES = new TextEncoder().encode('"features"');

export interface FeatureSpans {
  /** Offset of the document after a UTF-8 byte order mark, if any. */
  start: number;
  /** Offsets of the features array's `[` and `]`. */
  open: number;
  close: number;
  /** Each feature's bytes: [from, to) pairs, in order (whitespace around a feature included). */
  spans: number[];
}

const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** Bytes the scan acts on; every other byte (digits, most of a layer) is skipped with one table load. */
const STRUCTURAL = new Uint8Array(256);
for (const b of [QUOTE, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, COMMA]) STRUCTURAL[b] = 1;

/** The offset of the quote that closes the string whose opening quote is at `from`, or -1. */
function closingQuote(bytes: Uint8Array, from: number): number {
  for (let q = bytes.indexOf(QUOTE, from + 1); q >= 0; q = bytes.indexOf(QUOTE, q + 1)) {
    let backslashes = 0;
    while (bytes[q - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q; // an even run of backslashes escapes itself, not the quote
  }
  return -1;
}

/**
 * The features array of the root object, or null when the bytes are not a root object, closed, with exactly
 * one `features` member (written without escapes) whose value is an array.
 */
export function splitFeatureCollection(bytes: Uint8Array): FeatureSpans | null {
  const n = bytes.length;
  let i = n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const start = i;
  while (i < n && isSpace(bytes[i]!)) i++;
  if (bytes[i] !== OPEN_BRACE) return null;
  let depth = 0;
  let open = -1;
  let close = -1;
  let inFeatures = false;
  let elementFrom = -1;
  const spans: number[] = [];
  for (; i < n; i++) {
    const b = bytes[i]!;
    if (STRUCTURAL[b] === 0) continue;
    if (b === QUOTE) {
      const from = i;
      i = closingQuote(bytes, from);
      if (i < 0) return null;
      if (depth !== 1) continue;
      // a member name of the root: is it `"features"`, and is its value an array?
      let j = i + 1;
      while (j < n && isSpace(bytes[j]!)) j++;
      if (bytes[j] !== COLON) continue;
      const name = bytes.subarray(from, i + 1);
      if (name.includes(BACKSLASH)) return null; // an escaped name may spell "features": leave it to JSON.parse
      if (name.length !== FEATURES.length || !name.every((c, k) => c === FEATURES[k])) continue;
      if (open >= 0) return null; // a second "features": JSON.parse keeps the last
      for (j++; j < n && isSpace(bytes[j]!); j++);
      if (bytes[j] !== OPEN_BRACKET) return null;
      open = j;
      elementFrom = j + 1;
      inFeatures = true;
      depth = 2;
      i = j;
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      depth++;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      depth--;
      if (inFeatures && depth === 1) {
        inFeatures = false;
        close = i;
        let blank = true;
        for (let k = elementFrom; k < i && blank; k++) blank = isSpace(bytes[k]!);
        if (!(blank && spans.length === 0)) spans.push(elementFrom, i); // `[]` and `[ ]` hold no feature
      }
      if (depth < 0) return null;
    } else if (b === COMMA && inFeatures && depth === 2) {
      spans.push(elementFrom, i);
      elementFrom = i + 1;
    }
  }
  return open >= 0 && close >= 0 && depth === 0 ? { start, open, close, spans } : null;
}
