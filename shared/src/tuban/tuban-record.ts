import type { AlertFeature } from '../alerts/alert-feature.js';
import type { Lattice } from '../grid/lattice.js';
import type { LatticeShape } from './lattice-footprint.js';

/**
 * One detection of a change patch in one batch: the alert as the detector describes it (its own area,
 * type, score, evidence) and its exact footprint on the area's lattice. Written once by the alert stage
 * (`observations/<id>.json`); the 图斑 it belongs to is decided when the batch is finalised.
 */
export interface ObservationRecord {
  schema: 'shoutu.observation/1';
  id: string;
  lattice: Lattice;
  shape: LatticeShape;
  pixelCount: number;
  feature: AlertFeature;
}

/** What a 图斑 keeps of each of its observations. */
export interface ObservationSummary {
  id: string;
  batchId: string;
  beforeDate: string;
  afterDate: string;
  beforeSceneId: string;
  afterSceneId: string;
  platform: string;
  sensor: string;
  changeType: string;
  changeScore: number;
  areaM2: number;
  areaMu: number;
  cloudFreeFraction: number;
  evidence: AlertFeature['properties']['evidence'];
}

/**
 * What a new version does on the feeds:
 *   dispatch    a new 图斑, sent to its county team (待核查);
 *   hold        a new 图斑 covered by a valid approval: likely legal, not sent;
 *   update      a 图斑 still open (or judged 违法) seen again: its record is updated and the update sent;
 *   redispatch  a 图斑 closed or judged legal / false alarm that grew beyond the regrowth factor, a
 *               rectified violation seen again, or an approved site that outgrew its approval: sent again;
 *   record      seen again but nothing to act on (judged legal and not grown; still within its approval).
 */
export const DISPATCH_ACTIONS = ['dispatch', 'hold', 'update', 'redispatch', 'record'] as const;
export type DispatchAction = (typeof DISPATCH_ACTIONS)[number];

export function isNotified(action: DispatchAction): boolean {
  return action === 'dispatch' || action === 'update' || action === 'redispatch';
}

/**
 * A version of a 图斑, written once (`tuban/<id>/versions/<n>.json`): the feature enforcement sees, the
 * union footprint of all observations on the lattice (what the next epoch is matched against) and the
 * observations it is made of.
 */
export interface TubanVersion {
  schema: 'shoutu.tuban/1';
  tubanId: string;
  version: number;
  /** The batch whose finalisation wrote this version. */
  batchId: string;
  action: DispatchAction;
  lattice: Lattice;
  shape: LatticeShape;
  pixelCount: number;
  observationIds: string[];
  feature: AlertFeature;
}
