export {
  CallSummaryModule,
  resolveCallSummaryOptions,
} from './call-summary.module';
export type { CallSummaryModuleAsyncOptions } from './call-summary.module';
export { CallSummaryNotifier } from './call-summary.notifier';
export type { DeliveryOutcome } from './call-summary.notifier';
export {
  CALL_SID_HEADER,
  CALL_SUMMARY_OPTIONS,
  SIGNATURE_HEADER,
} from './call-summary.constants';
export type {
  CallSummaryOptions,
  CallSummaryPayload,
  ResolvedCallSummaryOptions,
} from './call-summary.constants';
export {
  signSummaryBody,
  verifySummarySignature,
} from './summary-signature.util';
export { WebhookSender } from './webhook-sender.service';
export type { WebhookRequest, WebhookResponse } from './webhook-sender.service';
