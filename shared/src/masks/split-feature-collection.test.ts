import { describe, expect, it } from 'vitest';
import { mulberry32, type Random } from '../kernels/test-random.js';
import { InvalidInputError } from '../errors.js';
import { parseByFeature, parseMaskLayer } from './parse-mask-layer.js';
import { splitFeatureCollection } from './split-feature-collection.js';

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Text that stresses a byte scanner: brackets, braces, commas, colons, quotes and backslashes inside strings, and CJK. */
const NASTY = ['[', ']', '{', '}', ',', ':', '\\"', '\\\\', '\\u005d', '\\"features\\"', '永久基本农田', '𠀀', ' ', '\\n'];
const nastyString = (random: Random, escapes = true) => {
  let s = '"';
  for (let i = Math.floor(random() * 6); i > 0; i--) {
    const piece = NASTY[Math.floor(random() * NASTY.length)]!;
    if (escapes || !piece.includes('\\')) s += piece;
  }
  return `${s}"`;
};
const space = (random: Random) => [' ', '', '\n', '\t', '\r\n  '][Math.floor(random() * 5)]!;

/** A random JSON value written as text (objects with nasty keys and strings, arrays, numbers). */
function value(random: Random, depth: number): string {
  const pick = random();
  if (depth > 2 || pick < 0.3) return [nastyString(random), String(Math.round(random() * 1e6) / 1e3), 'null', 'true', '-1.5e-7'][Math.floor(random() * 5)]!;
  const n = Math.floor(random() * 4);
  const items = Array.from({ length: n }, () => value(random, depth + 1));
  if (pick < 0.6) return `[${items.map((v) => `${space(random)}${v}${space(random)}`).join(',')}]`;
  return `{${items.map((v) => `${space(random)}${nastyString(random)}${space(random)}:${space(random)}${v}`).join(',')}}`;
}

function ring(random: Random): string {
  const x = 120 + random(), y = 32 + random(), d = 0.001 + random() * 0.01;
  return `[[${x},${y}],[${x + d},${y}],${space(random)}[${x + d},${y + d}],[${x},${y + d}],[${x},${y}]]`;
}

/** A random FeatureCollection: members before and after `features`, features with nasty properties and polygon, multipolygon or null geometry. */
function collection(random: Random): string {
  const features = Array.from({ length: Math.floor(random() * 6) }, () => {
    const kind = random();
    const geometry = kind < 0.15 ? 'null' : kind < 0.6 ? `{"type":"Polygon","coordinates":[${ring(random)}]}` : `{"coordinates":[[${ring(random)}],[${ring(random)},${ring(random)}]],"type":"MultiPolygon"}`;
    const members = [`"type":"Feature"`, `"properties":${random() < 0.2 ? 'null' : `{${nastyString(random)}:${value(random, 1)},"n":${value(random, 1)}}`}`, `"geometry":${geometry}`];
    if (random() < 0.5) members.reverse();
    return `${space(random)}{${members.join(`,${space(random)}`)}}${space(random)}`;
  });
  const members = [`"type":${space(random)}"FeatureCollection"`, `"features"${space(random)}:${space(random)}[${features.join(',')}${features.length === 0 ? space(random) : ''}]`];
  if (random() < 0.5) members.push(`"crs":{"type":"name","properties":{"name":"EPSG:4490"}}`);
  // the root's other member names without escapes (one that spells "features" with an escape is left to JSON.parse, below)
  for (let extra = Math.floor(random() * 3); extra > 0; extra--) {
    const name = nastyString(random, false);
    if (name !== '"features"') members.splice(Math.floor(random() * (members.length + 1)), 0, `${name}:${value(random, 1)}`);
  }
  return `${random() < 0.2 ? '\uFEFF' : ''}${space(random)}{${members.join(`,${space(random)}`)}}${space(random)}`;
}

describe('splitFeatureCollection', () => {
  it('finds each feature and the document around them exactly as JSON.parse reads them, on 500 random collections', () => {
    const random = mulberry32(0x5b11);
    for (let c = 0; c < 500; c++) {
      const text = collection(random);
      const bytes = encode(text);
      const whole = JSON.parse(text.replace(/^\uFEFF/, '')) as { features: unknown[] };
      const split = splitFeatureCollection(bytes);
      expect(split, text).not.toBeNull();
      if (split === null) continue;
      const features = [];
      for (let k = 0; k < split.spans.length; k += 2) features.push(JSON.parse(decode(bytes.subarray(split.spans[k]!, split.spans[k + 1]!))));
      expect(features, text).toEqual(whole.features);
      const around = JSON.parse(decode(bytes.subarray(split.start, split.open + 1)) + decode(bytes.subarray(split.close)));
      expect(around).toEqual({ ...whole, features: [] });
    }
  });

  it('leaves to JSON.parse what it cannot place: no root object, no features array, two of them, an escaped name, an open string', () => {
    for (const text of [
      '[{"type":"FeatureCollection","features":[]}]',
      '{"type":"FeatureCollection"}',
      '{"type":"FeatureCollection","features":{"0":{}}}',
      '{"type":"FeatureCollection","features":[],"features":[{}]}',
      '{"type":"FeatureCollection","feat\\u0075res":[]}',
      '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":"open}]}',
      '{"type":"FeatureCollection","features":[{}]',
      '{"type":"FeatureCollection","features":[{}]}}',
    ]) {
      expect(splitFeatureCollection(encode(text)), text).toBeNull();
    }
    // a "features" member of a nested object is not the collection's
    expect(splitFeatureCollection(encode('{"crs":{"features":[1]},"features":[{"a":1},{"b":[2,3]}]}'))!.spans).toHaveLength(4);
  });
});

describe('parseMaskLayer, one feature at a time', () => {
  /** The same document read as one document: its features member's name escaped, which the split leaves alone. */
  const asDocument = (text: string) => text.replace('"features"', '"feat\\u0075res"');
  const outcome = (text: string) => {
    try {
      const layer = parseMaskLayer(encode(text), 'layer.geojson');
      return { ...layer, sha256: undefined, polygons: layer.polygons.map((p) => p.map((r) => Array.from(r))) };
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      // positions in JSON syntax errors differ by the escape's length
      return { refused: (error as Error).message.replace(/position \d+/, 'position N') };
    }
  };

  it('gives the layer of the whole-document parse on 300 random collections', () => {
    const random = mulberry32(0xfea7);
    let polygons = 0;
    for (let c = 0; c < 300; c++) {
      const text = collection(random);
      const byFeature = outcome(text);
      expect(byFeature, text).toEqual(outcome(asDocument(text)));
      // and it was read feature by feature, not after a silent fall back to the whole document
      expect(parseByFeature(encode(text), 'layer.geojson', ''), text).not.toBeNull();
      polygons += 'polygons' in byFeature ? byFeature.polygons.length : 0;
    }
    expect(polygons).toBeGreaterThan(500);
  });

  it('refuses a bad feature with the message the whole-document parse gives', () => {
    const good = '{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[120,32],[120.1,32],[120.1,32.1],[120,32]]]}}';
    const cases = [
      '{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[120,32]}}',
      '{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[120,32],[120.1,32]]]}}',
      '{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[520,32],[120.1,32],[120.1,32.1],[520,32]]]}}',
      '{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[120,32],[120.1,"32"],[120.1,32.1],[120,32]]]}}',
      '{"type":"Feature","properties":{} "geometry":null}',
      '{"type":"Feature","properties":[],"geometry":null}',
      '{"type":"Feat","geometry":null}',
    ];
    for (const bad of cases) {
      const text = `{"type":"FeatureCollection","features":[${good},${bad},${good}]}`;
      const refused = outcome(text);
      expect(refused, bad).toHaveProperty('refused');
      expect(refused, bad).toEqual(outcome(asDocument(text)));
      expect((refused as { refused: string }).refused).toMatch(/^layer\.geojson: /);
    }
    // bytes that are not UTF-8 inside one feature's properties
    const bytes = encode(`{"type":"FeatureCollection","features":[${good.replace('{}', '{"a":"xx"}')}]}`);
    bytes[bytes.indexOf(0x78)] = 0xff;
    expect(() => parseMaskLayer(bytes, 'layer.geojson')).toThrow('layer.geojson: not UTF-8 text');
  });
});
