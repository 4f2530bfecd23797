export {
  MediaGatewayModule,
  MediaGatewayModuleAsyncOptions,
} from './media-gateway.module';
export {
  MEDIA_GATEWAY_OPTIONS,
  MediaGatewayOptions,
} from './media-gateway.options';
export { CallSupervisor } from './lifecycle/call-supervisor.service';
export { CallLifecycle } from './lifecycle/call-lifecycle';
export type { CallParties } from './lifecycle/call-lifecycle.types';
export { CallState } from './lifecycle/call-state';
export { CallFaultBoundary } from './lifecycle/call-fault-boundary';
export { CallBridge } from './bridge/call-bridge';
export {
  DEFAULT_AGENT_STALL_TIMEOUT_MS,
  STALL_NUDGE_TEXT,
} from './agent/stall-watchdog';
export { PROMPTS } from './prompts/prompts.generated';
export {
  DEFAULT_RECORDING_OPTIONS,
  RECORDING_OPTIONS,
  RECORDING_SINK_FACTORY,
  RecordingOptions,
} from './recording/recording.options';
export { RecordingsService } from './recording/recordings.service';
export { RecordingRetention } from './recording/recording-retention.service';
