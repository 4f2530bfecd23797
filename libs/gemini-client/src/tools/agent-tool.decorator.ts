import { DiscoveryService } from '@nestjs/core';

/** JSON Schema (the subset Gemini function declarations use) for a tool's arguments. */
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
