import {
  AgentProfile,
  AgentTool,
  type ToolCallContext,
} from '@app/gemini-client';
import { Injectable } from '@nestjs/common';
import { CallSupervisor } from '../lifecycle/call-supervisor.service';
import type { AgentCallControl } from './agent-call-control';

/** `end_call`'s arguments. */
interface EndCallArgs {
  reason?: string;
}

/** `transfer_call`'s arguments. */
interface TransferCallArgs {
  target: string;
  reason: string;
  summary: string;
}

/**
 * The built-in call-control tools, declared only to profiles that list them in `tools` (opt-in):
 * `end_call` (the agent hangs up once its goodbye has played) and `transfer_call` (the caller is
 * handed to one of the profile's `transferTargets`, the person hearing the summary first). The work
 * is the call's own AgentCallControl; these only find it.
 */
@Injectable()
export class CallControlTools {
  constructor(private readonly supervisor: CallSupervisor) {}

  /** end_call: returns the model's result; throws (an error response) when the call cannot end so. */
  @AgentTool({
    name: 'end_call',
    description:
      'Ends the phone call. Say a short goodbye first: the call ends once your last words have played. Use it when the conversation is over or the caller asks to hang up.',
    parameters: {
      type: 'object',
      properties: {
        reason: {
          type: 'string',
          description:
            'Why the call ends, in a few words (for the call record).',
        },
      },
    },
    optIn: true,
  })
  endCall(_args: EndCallArgs, context: ToolCallContext): string {
    return this.controlOf(context.callSid).hangUp();
  }

  /** transfer_call: returns the model's result; throws (an error response) for a target outside the profile. */
  @AgentTool({
    name: 'transfer_call',
    description:
      'Transfers the caller to a person. Choose the target only from the names listed here. Tell the caller first that you are connecting them. The person hears your summary before the caller is connected; if nobody answers, the caller comes back to you.',
    parameters: {
      type: 'object',
      properties: {
        target: {
          type: 'string',
          description: 'The name of the transfer target (one of those listed).',
        },
        reason: {
          type: 'string',
          description: 'Why the caller needs a person, in a few words.',
        },
        summary: {
          type: 'string',
          description:
            'One or two sentences for the person taking the call: who is calling and what they need.',
        },
      },
      required: ['target', 'reason', 'summary'],
    },
    optIn: true,
    forProfile: transferTargetsOf,
  })
  transferCall(args: TransferCallArgs, context: ToolCallContext): string {
    return this.controlOf(context.callSid).transfer(
      args.target,
      args.reason,
      args.summary,
    );
  }

  private controlOf(callSid: string): AgentCallControl {
    const control = this.supervisor.get(callSid)?.control;
    if (!control) throw new Error('The call is not held by this instance');
    return control;
  }
}

/** transfer_call's per-profile note (the targets to choose from), or why the profile cannot use it. */
function transferTargetsOf(profile: AgentProfile): {
  note?: string;
  problem?: string;
} {
  const names = Object.keys(profile.transferTargets ?? {});
  return names.length
    ? { note: `Transfer targets: ${names.join(', ')}.` }
    : { problem: 'the profile lists transfer_call but has no transferTargets' };
}
