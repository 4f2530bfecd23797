import { DiscoveryService } from '@nestjs/core';
import type { ToolResponseScheduling } from '../live/tool-call-routes';
import type { AgentProfile } from '../profiles/agent-profile';

/**
 * JSON Schema for a tool's arguments. A schema within the OpenAPI subset `parameters` accepts is sent
 * as `parameters`; one using other keywords (`additionalProperties`, `$schema`, `oneOf`, `const`…) as
 * `parametersJsonSchema` (decided once at boot, see tool-declaration.ts).
 */
export interface ToolParametersSchema {
  type: 'object';
  properties?: Record<string, unknown>;
  required?: string[];
  [key: string]: unknown;
}

export interface AgentToolOptions {
  /** The function name the model calls (letters, digits, underscores). */
  name: string;
  /** What the tool does and when to use it: the model reads this. */
  description: string;
  /** Arguments schema; calls whose arguments do not match get an error response, not the handler. */
  parameters?: ToolParametersSchema;
  /** How long the handler may run before the model gets a timeout error (default 5000 ms). */
  timeoutMs?: number;
  /**
   * `FunctionDeclaration.behavior` (Live only). `NON_BLOCKING`: the model may go on talking while
   * the tool runs (3.8's default); `BLOCKING`: it waits for the answer. Unset: the model's default.
   */
  behavior?: 'BLOCKING' | 'NON_BLOCKING';
  /**
   * How the model takes this tool's answers (`functionResponses[].scheduling`): `SILENT` (context
   * only), `WHEN_IDLE` (speak once idle; the server's default) or `INTERRUPT` (speak now). Only
   * meaningful for NON_BLOCKING tools; the server ignores it otherwise. Unset: not sent.
   */
  scheduling?: ToolResponseScheduling;
  /**
   * Declared only to profiles that name it in `tools` (the built-in `end_call` and `transfer_call`);
   * a profile without `tools` gets every other tool. Default false.
   */
  optIn?: boolean;
  /**
   * Per profile that declares the tool: `note` is appended to the description the model reads (e.g.
   * the transfer targets to choose from); `problem` says why the profile cannot use it (the start
   * fails with it, as for an unknown tool).
   */
  forProfile?: (profile: AgentProfile) => { note?: string; problem?: string };
}

/** What a tool handler learns about the call it serves. */
export interface ToolCallContext {
  callSid: string;
  from: string;
  to: string;
  /** Aborted when the model cancels the call or the handler times out. */
  signal: AbortSignal;
}

/**
 * Marks a provider method as a tool the agent can call:
 *
 *   @AgentTool({ name: 'opening_hours', description: '…', parameters: { type: 'object', … } })
 *   async openingHours(args: { day: string }, context: ToolCallContext) { … }
 *
 * Discovered at bootstrap (DiscoveryService), declared in every Gemini setup, run by the call's bridge.
 */
export const AgentTool = DiscoveryService.createDecorator<AgentToolOptions>();
