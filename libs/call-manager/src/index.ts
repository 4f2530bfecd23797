export { CallManagerModule } from './call-manager.module';
export type { CallManagerModuleAsyncOptions } from './call-manager.module';
export { CallsService } from './calls.service';
export { Clock } from './clock.service';
export {
  CALL_HANGUP,
  CALL_MANAGER_OPTIONS,
  CALL_REGISTRY,
  CALL_SID_PATTERN,
  CALL_STORE,
} from './call-manager.constants';
export type { CallManagerOptions } from './call-manager.constants';
export type {
  CallEndReason,
  CallHangup,
  CallRecord,
  CallStatus,
  LiveCallControl,
  LiveCallSummary,
  ReserveResult,
  TranscriptEntry,
  TranscriptRole,
} from './call.types';
export type { CallRegistry } from './registry/call-registry.interface';
export { InMemoryCallRegistry } from './registry/in-memory-call-registry.driver';
export type { CallListQuery, CallStore } from './store/call-store.interface';
export { InMemoryCallStore } from './store/in-memory-call-store.driver';
export type { InMemoryCallStoreOptions } from './store/in-memory-call-store.driver';
export { AdminGuard } from './admin/admin.guard';
