import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/fixtures.js';
import { SHOUTU_VERSION } from '@shoutu/shared';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

const SERVICES = ['ingest', 'detect', 'alert'];

describe('dependencies point inward', () => {
  it('shared imports no service', () => {
    const offenders = sources(join(REPO_ROOT, 'shared/src')).flatMap((f) =>
      importsOf(f)
        .filter((i) => /^@shoutu\/(ingest|detect|alert)/.test(i) || i.includes('services/'))
        .map((i) => `${relative(REPO_ROOT, f)} → ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('services import shared, never each other', () => {
    const offenders: string[] = [];
    for (const service of SERVICES) {
      for (const f of sources(join(REPO_ROOT, 'services', service, 'src'))) {
        for (const i of importsOf(f)) {
          const other = SERVICES.find((s) => s !== service && (i.startsWith(`@shoutu/${s}`) || i.includes(`/${s}/src`)));
          if (other) offenders.push(`${relative(REPO_ROOT, f)} → ${i}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('kernels import only other kernels (no I/O, no libraries)', () => {
    const offenders = sources(join(REPO_ROOT, 'shared/src/kernels'))
      .filter((f) => !f.endsWith('.test.ts') && !f.endsWith('.bench.ts'))
      .flatMap((f) => importsOf(f).filter((i) => !i.startsWith('./')).map((i) => `${relative(REPO_ROOT, f)} → ${i}`));
    expect(offenders).toEqual([]);
  });
});

describe('code version', () => {
  it('recorded in run records equals the root package version', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(SHOUTU_VERSION).toBe(pkg.version);
  });
});
