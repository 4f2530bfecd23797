// A call's timeline: its transcript (turns, interruptions, tool calls, DTMF, system notes), its
// transfers, and the voice-to-voice latency of each turn beside the agent turn it opened.

import { localTime, transferOutcome } from './format.js';

const INTERRUPTED = ' [interrupted]';
const TOOL_LINE = /^tool ([^(\s]+)\(/;
const DTMF_LINE = /^DTMF (\S+)/;
const TRANSFER_LINE = /\btransfer/i;

/** What a transcript line is on the timeline. */
function fromEntry(entry) {
  const item = {
    at: entry.at,
    role: entry.role,
    kind: entry.role,
    text: entry.text,
  };
  if (entry.role === 'agent' && entry.text.endsWith(INTERRUPTED)) {
    item.text = entry.text.slice(0, -INTERRUPTED.length);
    item.interrupted = true;
  } else if (entry.role === 'system') {
    const tool = TOOL_LINE.exec(entry.text);
    const dtmf = DTMF_LINE.exec(entry.text);
    if (tool)
      Object.assign(item, {
        kind: 'tool',
        label: `tool ${tool[1]}`,
        text: entry.text.slice('tool '.length),
      });
    else if (dtmf)
      Object.assign(item, { kind: 'dtmf', label: 'DTMF', text: dtmf[1] });
    else if (TRANSFER_LINE.test(entry.text))
      Object.assign(item, { kind: 'transfer', label: 'transfer' });
  }
  return item;
}

/** A transfer the record keeps (`record.transfers`), as a timeline line. */
function fromTransfer(transfer) {
  const reason = transfer.reason ? ` · ${transfer.reason}` : '';
  return {
    at: transfer.at,
    role: 'system',
    kind: 'transfer',
    label: 'transfer',
    text: `to ${transfer.target} (${transfer.to}): ${transferOutcome(transfer)}${reason}`,
    transferState: transfer.state,
  };
}

/**
 * The timeline of `record` (transfers, turn latencies: absent on older records) and its transcript
 * `entries`, in time order. Each `turnLatencies` figure (measured from the caller's end of speech)
 * goes to the first agent turn at or after it that has none yet.
 */
export function buildTimeline(record, entries) {
  const items = entries.map(fromEntry);
  for (const transfer of record?.transfers ?? [])
    items.push(fromTransfer(transfer));
  // Stable: lines appended at the same instant keep their order.
  items.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const latencies = [...(record?.turnLatencies ?? [])].sort(
    (a, b) => Date.parse(a.at) - Date.parse(b.at),
  );
  let next = 0;
  for (const latency of latencies) {
    const from = Date.parse(latency.at);
    while (
      next < items.length &&
      (items[next].kind !== 'agent' || Date.parse(items[next].at) < from)
    )
      next++;
    if (next >= items.length) break;
    items[next++].latencyMs = latency.ms;
  }
  return items;
}

/** `median 640 ms · max 910 ms · 3 turns`, or '' without figures. */
export function latencySummary(record) {
  const ms = (record?.turnLatencies ?? [])
    .map((l) => l.ms)
    .sort((a, b) => a - b);
  if (ms.length === 0) return '';
  const median =
    ms.length % 2
      ? ms[(ms.length - 1) / 2]
      : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
  const turns = `${ms.length} turn${ms.length === 1 ? '' : 's'}`;
  return `Turn latency: median ${Math.round(median)} ms · max ${ms.at(-1)} ms · ${turns}`;
}

function offset(at, startedAt) {
  if (!startedAt) return '';
  const s = Math.max(
    0,
    Math.round((Date.parse(at) - Date.parse(startedAt)) / 1000),
  );
  return `+${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function span(className, text, testid) {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  if (testid) el.dataset.testid = testid;
  return el;
}

const WHO = { caller: 'caller', agent: 'agent', system: 'system' };

/** One line of the timeline (`data-testid="transcript-entry"`, `data-role`, `data-kind`). */
export function timelineItem(item, startedAt) {
  const li = document.createElement('li');
  li.dataset.testid = 'transcript-entry';
  li.dataset.role = item.role;
  li.dataset.kind = item.kind;
  if (item.transferState) li.dataset.transferState = item.transferState;
  const when = span('when', localTime(item.at));
  when.title = `${offset(item.at, startedAt)} from the start · ${item.at}`;
  const who = span('who', item.label ?? WHO[item.role] ?? item.role);
  const what = span('text', item.text);
  li.append(when, who, what);
  if (item.interrupted) {
    li.dataset.interrupted = 'true';
    li.append(span('badge interrupted', 'interrupted', 'interrupted'));
  }
  if (item.latencyMs !== undefined) {
    const badge = span(
      'badge latency',
      `${Math.round(item.latencyMs)} ms`,
      'turn-latency',
    );
    badge.title =
      "Voice to voice: the caller's end of speech to the agent's first audio";
    li.append(badge);
  }
  return li;
}

/** Renders the timeline into `list`, and the latency summary into `summary`. */
export function renderTimeline(list, summary, record, entries) {
  const items = buildTimeline(record, entries);
  list.replaceChildren(
    ...items.map((item) => timelineItem(item, record?.startedAt)),
  );
  summary.textContent = latencySummary(record);
}
