export * from './live/live-messages';
export {
  buildSetupMessage,
  LegacyModelTuning,
  LiveSetupInput,
} from './live/live-setup';
export {
  LIVE_38_REJECTED_FIELDS,
  liveModelTraits,
  LiveModelTraits,
} from './live/live-model';
export {
  LiveUsage,
  ModalityTokens,
  readUsage,
  SummedUsage,
  UsageTotals,
} from './live/usage-totals';
export type {
  InteractionStatus,
  VoiceActivityKind,
} from './live/server-events';
export type {
  ToolAnswer,
  ToolResponseScheduling,
} from './live/tool-call-routes';
export {
  ContinuityPolicy,
  DEFAULT_CONTINUITY,
  ResilientLiveSession,
} from './live/resilient-live-session';
export {
  GeminiLiveSession,
  LiveSession,
  LiveSessionClosed,
  LiveSessionEvents,
  LiveSessionState,
} from './live/gemini-live-session';
export {
  GeminiClientModule,
  GeminiClientModuleAsyncOptions,
} from './gemini-client.module';
export {
  GEMINI_CLIENT_OPTIONS,
  GeminiClientOptions,
  LiveSessionOverrides,
} from './gemini-client.options';
export { GeminiLiveService } from './gemini-live.service';
export { GeminiConnector, UpstreamEndpoint } from './upstream/gemini-connector';
export { AccessTokenProvider } from './upstream/access-token.provider';
export {
  AgentTool,
  AgentToolOptions,
  ToolCallContext,
  ToolParametersSchema,
} from './tools/agent-tool.decorator';
export { AgentToolRegistry, RegisteredTool } from './tools/agent-tool.registry';
export {
  schemaRoute,
  SchemaRoute,
  toolDeclaration,
} from './tools/tool-declaration';
export { ToolCallOutcome, ToolCallScope } from './tools/tool-call.scope';
export type {
  AgentProfile,
  AgentProfilesConfig,
} from './profiles/agent-profile';
export { AgentProfiles } from './profiles/agent-profiles';
export {
  isSipUri,
  TRANSFER_TARGET_NAME,
  transferTargetProblems,
  type TransferTargets,
} from './profiles/transfer-targets';
export {
  automaticActivityDetection,
  VAD_LIMITS,
  vadProblems,
  VadSettings,
} from './profiles/vad-settings';
export { LIVE_PROXY_PATH, LiveProxyGateway } from './proxy/live-proxy.gateway';
export {
  LIVE_TOKEN_TTL_MS,
  LiveTokenService,
} from './proxy/live-token.service';
export type { LiveTokenVerdict } from './proxy/live-token.service';
export {
  BoundedFrameSender,
  BoundedSenderOptions,
  FrameSocket,
} from './transport/bounded-frame-sender';
export { TurnBatch } from './transport/turn-batch';
export type { BatchedJob } from './transport/turn-batch';
export { OneTimeTokens } from './tokens/one-time-tokens';
export type { VerifiedToken } from './tokens/one-time-tokens';
export { SPENT_TOKEN_LEDGER } from './tokens/tokens.constants';
export type { SpentTokenLedger } from './tokens/spent-token-ledger.interface';
export { InMemorySpentTokenLedger } from './tokens/in-memory-spent-token-ledger';
export { RedisSpentTokenLedger } from './tokens/redis-spent-token-ledger';
export type { RedisSpentTokenLedgerOptions } from './tokens/redis-spent-token-ledger';
