import type { CallsService, TranscriptRole } from '@app/call-manager';

type Speaker = 'caller' | 'agent';

/**
 * One call's transcript as the bridge hears it: Gemini's input and output transcriptions arrive in
 * pieces and are gathered per speaker; a speaker's line goes to the call record when the other starts
 * speaking, at the end of a turn, before a system line, or when the call ends.
 */
export class CallTranscript {
  private readonly pending: Record<Speaker, string> = { caller: '', agent: '' };

  constructor(
    private readonly calls: CallsService,
    private readonly callSid: string,
  ) {}

  /** A piece of what `speaker` said; the other speaker's line, if any, is written first. */
  heard(speaker: Speaker, text: string): void {
    this.flush(speaker === 'caller' ? 'agent' : 'caller');
    this.pending[speaker] += text;
  }

  /** The agent was cut off: its line so far is written, marked `[interrupted]`. */
  agentInterrupted(): void {
    if (this.pending.agent) this.pending.agent += ' [interrupted]';
    this.flush('agent');
  }

  /** Writes what each of `speakers` said so far (trimmed; nothing when empty). */
  flush(...speakers: Speaker[]): void {
    for (const speaker of speakers) {
      const text = this.pending[speaker].trim();
      this.pending[speaker] = '';
      if (text) this.append(speaker, text);
    }
  }

  /** Writes one line to the call record as it is. */
  append(role: TranscriptRole, text: string): void {
    this.calls.appendTranscript(this.callSid, role, text);
  }
}
