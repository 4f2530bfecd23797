/** The CallSid of the record the console tests serve in place of the store's. */
export const SEEDED_SID = `CA${'c0ffee'.repeat(5)}ab`;

/**
 * A past call as the store will return it once transfers and turn latencies are kept
 * (`record.transfers`, `record.turnLatencies`; call.types.ts does not declare them yet): a greeting,
 * a tool call, an interrupted turn, a keypad press, a transfer nobody answered and one that was.
 * Times are offsets in seconds from a start five minutes ago.
 */
export function seededRecord(): Record<string, unknown> {
  const start = Date.now() - 5 * 60_000;
  const at = (s: number) => new Date(start + s * 1000).toISOString();
  const line = (s: number, role: string, text: string) => ({
    role,
    text,
    at: at(s),
  });
  return {
    callSid: SEEDED_SID,
    from: '+15550001111',
    to: '+15550000100',
    direction: 'inbound',
    status: 'completed',
    startedAt: at(0),
    answeredAt: at(0),
    endedAt: at(35),
    durationSeconds: 35,
    endReason: 'transferred',
    transcript: [
      line(1, 'agent', 'Hello, this is the Acme assistant. How can I help?'),
      line(4, 'caller', 'Hi, where is my order 42?'),
      line(
        5,
        'system',
        'tool lookup_order({"id":"42"}) → {"status":"shipped"}',
      ),
      line(6, 'agent', 'Your order shipped yesterday; it arrives on Friday.'),
      line(9, 'caller', 'Can I talk to sales about a bigger order?'),
      line(10, 'agent', 'Of course, let me see who is free [interrupted]'),
      line(11, 'caller', 'Sorry, I pressed five.'),
      line(12, 'system', 'DTMF 5'),
      line(13, 'agent', 'No problem. Connecting you to sales now.'),
      line(
        14,
        'system',
        'tool transfer_call({"target":"sales","reason":"a bigger order"}) → {"ok":true}',
      ),
      line(15, 'system', 'Transfer to sales not answered (busy)'),
      line(18, 'caller', 'Then support, please.'),
      line(20, 'agent', 'Trying support for you now.'),
      line(
        21,
        'system',
        'tool transfer_call({"target":"support","reason":"a bigger order"}) → {"ok":true}',
      ),
    ],
    transfers: [
      {
        target: 'sales',
        to: '+14155550123',
        reason: 'a bigger order',
        state: 'not-answered',
        dialStatus: 'busy',
        at: at(14.5),
      },
      {
        target: 'support',
        to: 'sip:desk@pbx.example.com',
        reason: 'a bigger order',
        state: 'answered',
        dialStatus: 'completed',
        at: at(30),
      },
    ],
    turnLatencies: [
      { at: at(4.2), ms: 640 },
      { at: at(9.3), ms: 710 },
      { at: at(11.5), ms: 580 },
      { at: at(18.4), ms: 450 },
    ],
  };
}
