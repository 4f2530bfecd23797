import type { LiveSession } from '@app/gemini-client';

/** What decides, for an outbound call, when the agent may hear the callee and be heard. */
export interface AnswerGate {
  /** Whether the callee's audio may reach the agent now. */
  readonly listening: boolean;
  /** The bridge asked for the agent's held events (its stream started); the gate releases them later. */
  releaseRequested(): void;
}

/**
 * The call's Gemini session as its bridge sees it while an outbound call waits for answering-machine
 * detection: `sendAudio` drops the callee's audio unless the gate is listening (the agent must neither
 * hear nor answer a voicemail greeting), and `release` (the bridge's "play what the agent said early")
 * is left to the gate, so nothing the agent says reaches the callee before the verdict. Everything
 * else is the session itself (methods bound to it, once each, so the per-frame path allocates nothing).
 */
export function answerGatedSession(
  session: LiveSession,
  gate: AnswerGate,
): LiveSession {
  const sendAudio = (base64Pcm: string): void => {
    if (gate.listening) session.sendAudio(base64Pcm);
  };
  const release = (): void => gate.releaseRequested();
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(session, {
    get(target, key) {
      if (key === 'sendAudio') return sendAudio;
      if (key === 'release') return release;
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      let method = bound.get(key);
      if (method === undefined) {
        method = (value as (...args: unknown[]) => unknown).bind(target);
        bound.set(key, method);
      }
      return method;
    },
  });
}
