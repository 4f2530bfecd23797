import type { CallEndReason } from '@app/call-manager';
import type { CallBridge } from '../bridge/call-bridge';
import { PROMPTS } from '../prompts/prompts.generated';
import type { CallStateMachine } from './call-state';
import type { CallTimers } from './call-timers';

/** After the goodbye prompt's own length, how long to wait for Twilio's mark echo (ms). */
const GOODBYE_MARGIN_MS = 1500;

/** What a call's goodbye needs from the call (CallLifecycle). */
export interface CallGoodbyeHost {
  machine: CallStateMachine;
  timers: CallTimers;
  bridge(): CallBridge | undefined;
  end(reason: CallEndReason): Promise<void>;
}

/**
 * The spoken apology that ends a call the service has to give up (agent lost, a fault): played in
 * place of anything queued while the stream is up, then the call ends with its reason once Twilio
 * has played it (the goodbye mark echoed, or the prompt's length plus GOODBYE_MARGIN_MS).
 */
export class CallGoodbye {
  private reason?: CallEndReason;

  constructor(private readonly host: CallGoodbyeHost) {}

  /** The goodbye prompt has played (Twilio echoed its mark): the call ends. */
  played(): void {
    if (this.reason) void this.host.end(this.reason);
  }

  /** Plays the apology and ends the call with `reason` after it; ends at once when no stream can carry it. */
  say(reason: CallEndReason): void {
    const { machine, timers } = this.host;
    const state = machine.state;
    if (state !== 'live' && state !== 'connecting') {
      if (state !== 'goodbye') void this.host.end(reason);
      return;
    }
    const promptMs = this.host.bridge()?.playGoodbye(PROMPTS.agentUnavailable);
    if (promptMs === undefined || !machine.to('goodbye')) {
      void this.host.end(reason);
      return;
    }
    this.reason = reason;
    timers.clear('max-duration');
    timers.after('goodbye', promptMs + GOODBYE_MARGIN_MS, () =>
      this.host.end(reason),
    );
  }
}
