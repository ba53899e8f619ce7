export { tubanNumber, numberingPeriod, parseTubanNumber } from './tuban-number.js';
export { resolveTuban, type CaseSnapshot, type ResolveInput, type ResolveParameters } from './resolve-tuban.js';
export { resolveBatch, replayResolution, ResolutionConflictError, type ResolutionRecord } from './resolve-batch.js';
export { readObservation, tubanHistory, latestVersionNumbers, restoreCurrentViews } from './tuban-store.js';
export { DISPATCH_ACTIONS, isNotified, type DispatchAction, type ObservationRecord, type ObservationSummary, type TubanVersion } from './tuban-record.js';
