/**
 * Scenes kept open from one detect job to the next in a thread or process. A scene's file blocks need not
 * line up with the lattice's tiles (a scene sits anywhere on its area's grid), so one block is cut by up
 * to four tiles' windows; opened once per job, it was inflated once per job. Kept open, the raster's block
 * cache (blocks a window used only part of) serves the next job instead. Files are never rewritten under
 * the same key and SHA-256, so an open scene stays valid.
 */
import type { BlobStore } from '../storage/index.js';
import type { SceneRecord } from './scene-record.js';
import { comparablePair, openScene, openScenePair, type OpenScene } from './open-scene.js';

interface Entry {
  scene: Promise<OpenScene>;
  users: number;
}

/** Scenes open at once when none is in use: one pair (a batch's jobs come scene pair by scene pair). */
export const OPEN_SCENES = 2;

export class OpenSceneCache {
  /** Open scenes by file, least recently used first. */
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(
    private readonly store: BlobStore,
    private readonly capacity = OPEN_SCENES,
  ) {}

  /** Runs `use` on the pair, opened or taken from the cache; the scenes stay open for later jobs. */
  async withPair<T>(before: SceneRecord, after: SceneRecord, use: (before: OpenScene, after: OpenScene) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('scene cache is closed');
    const taken: string[] = [];
    try {
      const b = await this.take(before, taken);
      const a = await this.take(after, taken);
      return await use(b, a);
    } finally {
      for (const key of taken) {
        const entry = this.entries.get(key);
        if (entry) entry.users--;
      }
      await this.evict();
    }
  }

  /** Closes every scene (the cache takes no more jobs). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(async (e) => (await e.scene.catch(() => null))?.close()));
  }

  private async take(record: SceneRecord, taken: string[]): Promise<OpenScene> {
    const key = `${record.file.key} ${record.file.sha256} ${record.validity?.cloudMask?.file?.key ?? ''}`;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { scene: openScene(this.store, record), users: 0 };
      this.entries.set(key, entry);
      entry.scene.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    } else {
      // most recently used last
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    entry.users++;
    taken.push(key);
    return entry.scene;
  }

  /** Closes the least recently used scenes no job is reading while more than `capacity` are open. */
  private async evict(): Promise<void> {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      if (entry.users > 0) continue;
      this.entries.delete(key);
      await (await entry.scene.catch(() => null))?.close();
    }
  }
}

/**
 * Runs `use` on a before/after pair: taken from `scenes` when given (left open for later jobs), else opened
 * for this call alone and closed after it; either way seen as the pair compares them (comparablePair).
 * `lastUse` tells `use` that nothing will read these scenes again.
 */
export async function withScenePair<T>(
  store: BlobStore,
  before: SceneRecord,
  after: SceneRecord,
  scenes: OpenSceneCache | undefined,
  use: (before: OpenScene, after: OpenScene, lastUse: boolean) => Promise<T>,
): Promise<T> {
  if (scenes) return scenes.withPair(before, after, (b, a) => use(...comparablePair(b, a), false));
  const [b, a] = await openScenePair(store, before, after);
  try {
    return await use(b, a, true);
  } finally {
    await Promise.all([b.close(), a.close()]);
  }
}
