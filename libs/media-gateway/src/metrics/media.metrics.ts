import { Counter, Histogram } from 'prom-client';
import { FrameTally, TallyHistogram } from './frame-tally';

/**
 * Media-path metrics (prom-client default registry; the app serves them on GET /metrics). Children
 * with fixed labels are bound once here. The two per-frame figures (frames carried and processing
 * time) are FrameTally objects: a frame costs a few additions, and prom-client reads the totals
 * when /metrics is scraped. Everything else is counted where it happens (rare events).
 */
const PROCESSING_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
];
/** Per-frame tallies by direction: `voice_media_frames_total` and `voice_bridge_processing_seconds`. */
const tallies = {
  caller_to_agent: new FrameTally(PROCESSING_BUCKETS),
  agent_to_caller: new FrameTally(PROCESSING_BUCKETS),
};
new Counter({
  name: 'voice_media_frames_total',
  help: 'Audio frames carried by the bridge',
  labelNames: ['direction'],
  collect() {
    this.reset();
    for (const [direction, tally] of Object.entries(tallies))
      if (tally.count > 0) this.inc({ direction }, tally.count);
  },
});
const dropped = new Counter({
  name: 'voice_media_frames_dropped_total',
  help: 'Audio frames dropped: invalid payloads, or backpressure from a slow socket',
  labelNames: ['direction', 'reason'],
});
new TallyHistogram(
  {
    name: 'voice_bridge_processing_seconds',
    help: 'Time the bridge spends converting and forwarding one frame',
    buckets: PROCESSING_BUCKETS,
  },
  'direction',
  tallies,
);

export const mediaMetrics = {
  /** One per caller frame carried: `observe(seconds of processing)`; counts the frame too. */
  callerFrames: tallies.caller_to_agent,
  /** One per agent chunk carried: `observe(seconds of processing)`; counts the chunk too. */
  agentFrames: tallies.agent_to_caller,
  callerInvalid: dropped.labels('caller_to_agent', 'invalid'),
  callerBackpressure: dropped.labels('caller_to_agent', 'backpressure'),
  agentBackpressure: dropped.labels('agent_to_caller', 'backpressure'),
  /** Agent messages whose audio could not be used (unsupported rate or type, bad payload). */
  agentUnusable: dropped.labels('agent_to_caller', 'unusable'),
  rejectedMessages: new Counter({
    name: 'voice_media_stream_messages_rejected_total',
    help: 'Media stream messages or sockets refused, by reason',
    labelNames: ['reason'],
  }),
  geminiReconnects: new Counter({
    name: 'voice_gemini_reconnects_total',
    help: 'New upstream connections opened for live calls (goAway switches and reconnects)',
    labelNames: ['reason'],
  }),
  agentLost: new Counter({
    name: 'voice_gemini_sessions_lost_total',
    help: 'Calls whose Gemini session could not be recovered',
  }),
  /**
   * Gemini tokens by `direction` (prompt, response, tool_use_prompt, thoughts, cached) and `modality`
   * (audio, text, …; `unspecified` when a report has a count but no per-modality details). Cached
   * tokens are part of the prompt tokens, not added to them.
   */
  geminiTokens: new Counter({
    name: 'voice_gemini_tokens_total',
    help: 'Gemini Live tokens reported in usageMetadata, by direction and modality',
    labelNames: ['direction', 'modality'],
  }),
  /** Stall watchdog: `nudged` (the nudge made the agent speak), `prompted` (the bundled prompt played). */
  agentStalls: new Counter({
    name: 'agent_stalls_total',
    help: 'Caller turns the agent left unanswered past the stall timeout, by outcome',
    labelNames: ['outcome'],
  }),
  /**
   * Per-turn latency (seconds): the caller's end of speech (Gemini's ACTIVITY_END, else the last input
   * transcription) to the first agent audio of the reply sent to Twilio (TurnLatencyTracker).
   */
  turnLatency: new Histogram({
    name: 'voice_turn_latency_seconds',
    help: "Time from the caller's end of speech to the first agent audio of the reply sent to Twilio",
    buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10],
  }),
  /** Barge-ins: Twilio's buffer cleared, by what signalled it (voice-activity or interrupted). */
  bargeIns: new Counter({
    name: 'voice_barge_ins_total',
    help: 'Agent audio cleared at Twilio because the caller spoke, by the signal that came first',
    labelNames: ['signal'],
  }),
};
