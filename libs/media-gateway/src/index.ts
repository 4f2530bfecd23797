export {
  MediaGatewayModule,
  MediaGatewayModuleAsyncOptions,
} from './media-gateway.module';
export {
  MEDIA_GATEWAY_OPTIONS,
  MediaGatewayOptions,
} from './media-gateway.options';
export { CallSupervisor } from './lifecycle/call-supervisor.service';
export { CallLifecycle, CallParties } from './lifecycle/call-lifecycle';
export { CallState } from './lifecycle/call-state';
export { CallFaultBoundary } from './lifecycle/call-fault-boundary';
export { CallBridge } from './bridge/call-bridge';
export { PROMPTS } from './prompts/prompts.generated';
