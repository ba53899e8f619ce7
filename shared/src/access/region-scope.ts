/**
 * Administrative scope by 行政区划代码 (GB/T 2260): six digits, province (2) + city (2) + county (2).
 * A code ending in "0000" names a province and covers every county in it; one ending in "00" names a
 * city (地级市) and covers its counties; any other code names one county. Municipalities (北京 110000 …)
 * follow the same rule.
 */
import { RegionCode } from '../schemas/manifest.js';

export type RegionLevel = 'province' | 'city' | 'county';

export function regionLevel(code: string): RegionLevel {
  if (!RegionCode.safeParse(code).success) throw new Error(`"${code}" is not a 6-digit administrative division code`);
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'city';
  return 'county';
}

/** True when a token scoped to `scope` may see or act on 图斑 of county `county`. */
export function regionCovers(scope: string, county: string): boolean {
  switch (regionLevel(scope)) {
    case 'province':
      return county.slice(0, 2) === scope.slice(0, 2);
    case 'city':
      return county.slice(0, 4) === scope.slice(0, 4);
    case 'county':
      return county === scope;
  }
}

/** True when any of `scopes` covers `county`. */
export function anyRegionCovers(scopes: readonly string[], county: string): boolean {
  return scopes.some((s) => regionCovers(s, county));
}

/** True when all of region `inner` (county, city or province) lies within region `outer`. */
export function regionWithin(inner: string, outer: string): boolean {
  const innerLevel = regionLevel(inner);
  switch (regionLevel(outer)) {
    case 'province':
      return inner.slice(0, 2) === outer.slice(0, 2);
    case 'city':
      return innerLevel !== 'province' && inner.slice(0, 4) === outer.slice(0, 4);
    case 'county':
      return inner === outer;
  }
}

/**
 * The part of `regions` that lies within `scope`, as region codes: a region within the scope stays; one
 * wider than it (a province when the scope is now one of its cities) becomes the scope's regions inside
 * it; one outside goes. Sorted, none within another. Empty when nothing of `regions` is left.
 */
export function narrowRegions(regions: readonly string[], scope: readonly string[]): string[] {
  const kept = new Set<string>();
  for (const r of regions) {
    if (scope.some((s) => regionWithin(r, s))) kept.add(r);
    else for (const s of scope) if (regionWithin(s, r)) kept.add(s);
  }
  const all = [...kept].sort();
  return all.filter((r) => !all.some((other) => other !== r && regionWithin(r, other)));
}

/** The regions whose layers apply to a county: its province, its city, itself (outermost first). */
export function regionsAbove(county: string): string[] {
  const chain = [`${county.slice(0, 2)}0000`, `${county.slice(0, 4)}00`, county];
  return chain.filter((code, i) => chain.indexOf(code) === i);
}
