export { CallManagerModule } from './call-manager.module';
export type { CallManagerModuleAsyncOptions } from './call-manager.module';
export { CallsService } from './calls.service';
export { PENDING_SLOT_PREFIX, PendingCallSlot } from './pending-call-slot';
export { Clock } from './clock.service';
export {
  CALL_HANGUP,
  CALL_MANAGER_OPTIONS,
  CALL_REGISTRY,
  CALL_SID_PATTERN,
  CALL_STORE,
} from './call-manager.constants';
export type {
  CallManagerOptions,
  LostCallReaperOptions,
} from './call-manager.constants';
export type {
  AnsweredBy,
  CallDirection,
  CallEndReason,
  CallHangup,
  CallRecord,
  CallStatus,
  CallTokenUsage,
  CallTransfer,
  LiveCallControl,
  LiveCallSummary,
  ModalityTokenCount,
  NewCall,
  ReserveResult,
  TranscriptEntry,
  TranscriptRole,
  TurnLatency,
} from './call.types';
export type {
  CallRegistry,
  LostCall,
  LostCallClaims,
} from './registry/call-registry.interface';
export { LostCallReaper } from './lost-calls/lost-call.reaper';
export type { ReapedCall } from './lost-calls/lost-call.reaper';
export type { LostCallOutcome } from './lost-calls/lost-calls.metrics';
export {
  createCallRouting,
  defaultInstanceId,
} from './registry/create-call-registry';
export type {
  CallRouting,
  CallRoutingTimings,
} from './registry/create-call-registry';
export { CALL_ROUTER } from './routing/call-router.constants';
export type {
  CallRouter,
  EndCallRequest,
} from './routing/call-router.interface';
export { createCallStore } from './store/create-call-store';
export { ResilientCallStore } from './store/resilient-call-store';
export { SqlCallStore } from './store/sql-call-store.driver';
export { InMemoryCallRegistry } from './registry/in-memory-call-registry.driver';
export type { CallListQuery, CallStore } from './store/call-store.interface';
export { InMemoryCallStore } from './store/in-memory-call-store.driver';
export type { InMemoryCallStoreOptions } from './store/in-memory-call-store.driver';
export { AdminGuard } from './admin/admin.guard';
export { CallSidPipe } from './admin/call-sid.pipe';
export type { BackendStatus, ManagedBackend } from './backend.types';
export { CallEvents } from './events/call-events';
export type {
  AgentTurnOutcome,
  CallEventMap,
  CallEventName,
} from './events/call-events';
