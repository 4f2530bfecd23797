// The call page: a call's details (direction, parties, dates, duration, end reason, transfers), its
// End call button, its recording and its timeline, which grows live while the call lasts.

import { $, api, endsSession, state } from './api.js';
import {
  answeredBy,
  callSeconds,
  direction,
  duration,
  endReason,
  timeElement,
  transferOutcome,
} from './format.js';
import { hideRecording, showRecording } from './recording-player.js';
import { renderTimeline } from './timeline.js';

const entryKey = (entry) => `${entry.at}|${entry.role}|${entry.text}`;

function isLive(callSid) {
  return state.liveCalls.some((c) => c.callSid === callSid);
}

/** A transcript line from the event stream (or the record): kept once, in arrival order. */
export function addTranscriptEntry(page, entry) {
  const key = entryKey(entry);
  if (page.seen.has(key)) return;
  page.seen.add(key);
  page.entries.push(entry);
  if (state.page === page) renderPageTimeline(page);
}

function renderPageTimeline(page) {
  renderTimeline(
    $('call-transcript'),
    $('call-latency'),
    page.record,
    page.entries,
  );
}

/** One `<dt>`/`<dd>` pair of the details list; `value` is text or an element. */
function field(name, label, value, title) {
  const dt = document.createElement('dt');
  dt.textContent = label;
  const dd = document.createElement('dd');
  dd.dataset.field = name;
  if (value instanceof Node) dd.append(value);
  else dd.textContent = value ?? '';
  if (title) dd.title = title;
  return [dt, dd];
}

function renderDetails(record, live) {
  const fields = [
    field('direction', 'Direction', direction(record)),
    field('from', 'From', record.from),
    field('to', 'To', record.to),
    field(
      'status',
      'Status',
      live ? 'live' : record.status,
      record.twilioStatus,
    ),
  ];
  if (record.direction === 'outbound')
    fields.push(
      field(
        'answeredBy',
        'Answered by',
        answeredBy(record.answeredBy) || 'not yet',
      ),
    );
  fields.push(field('startedAt', 'Started', timeElement(record.startedAt)));
  if (record.answeredAt)
    fields.push(
      field('answeredAt', 'Answered', timeElement(record.answeredAt)),
    );
  if (record.endedAt)
    fields.push(field('endedAt', 'Ended', timeElement(record.endedAt)));
  const seconds = callSeconds(record);
  if (seconds !== undefined)
    fields.push(field('duration', 'Duration', duration(seconds)));
  if (record.endReason)
    fields.push(
      field(
        'endReason',
        'End reason',
        endReason(record.endReason),
        record.endReason,
      ),
    );
  const transfers = record.transfers ?? [];
  if (transfers.length > 0) {
    const last = transfers.at(-1);
    const text = `${last.target} (${last.to}): ${transferOutcome(last)}`;
    const more = transfers.length > 1 ? ` · ${transfers.length} transfers` : '';
    fields.push(field('transfer', 'Transfer', text + more, last.reason));
  }
  $('call-details').replaceChildren(...fields.flat());
  // Only what the live list knows, until the record loads.
  $('call-details').dataset.loaded = String(Boolean(record.transcript));
}

/** The page's header and its End call button, after any change to the live list or the API. */
export function renderCallMeta() {
  const page = state.page;
  if (!page) return;
  const live = isLive(page.callSid);
  if (live) page.wasLive = true;
  const summary = state.liveCalls.find((c) => c.callSid === page.callSid);
  const record = page.record ?? summary;
  if (record)
    renderDetails(
      live && summary ? { ...page.record, ...summary } : record,
      live,
    );
  else $('call-details').replaceChildren();
  const status = live ? 'live' : page.record ? 'ended' : 'loading';
  $('call-view').dataset.status = status;
  const button = $('end-call');
  button.disabled = !live || !state.adminAvailable || page.ending === true;
  button.title = !state.adminAvailable
    ? 'The admin API is unavailable (reconnecting)'
    : !live
      ? 'The call is not live'
      : '';
}

/** A live call's record is read again this often (ms): answeredBy, transfers and latencies change. */
const LIVE_REFRESH_MS = 3000;

async function loadRecord(page) {
  const record = await api(`/calls/${encodeURIComponent(page.callSid)}`);
  if (state.page !== page) return undefined;
  page.record = record;
  for (const entry of record.transcript ?? []) addTranscriptEntry(page, entry);
  renderPageTimeline(page);
  renderCallMeta();
  return record;
}

/** While the page's call is live, its record is refreshed in the background. */
function refreshWhileLive(page) {
  page.timer = setTimeout(async () => {
    if (state.page !== page || !isLive(page.callSid)) return;
    try {
      await loadRecord(page);
    } catch (err) {
      if (endsSession(err)) return;
    }
    refreshWhileLive(page);
  }, LIVE_REFRESH_MS);
}

export async function openCall(callSid) {
  clearTimeout(state.page?.timer);
  // Live entries that arrive while the record loads are kept, and merged without duplicates.
  const page = {
    callSid,
    record: null,
    entries: [],
    seen: new Set(),
    wasLive: false,
  };
  state.page = page;
  hideRecording();
  $('call-sid').textContent = callSid;
  $('call-error').textContent = '';
  renderPageTimeline(page);
  renderCallMeta();
  try {
    // Lines already streamed in stay; the stored ones join them without duplicates, in time order.
    const record = await loadRecord(page);
    if (!record) return;
    // An ended call's recording (if it was recorded) plays here.
    if (!isLive(callSid)) showRecording(callSid, state.key, record.endedAt);
    else refreshWhileLive(page);
  } catch (err) {
    if (endsSession(err)) return;
    if (state.page === page) $('call-error').textContent = err.message;
  }
}

/** Leaves the call page (the recording is let go). */
export function closeCall() {
  clearTimeout(state.page?.timer);
  state.page = null;
  hideRecording();
}

async function endCall() {
  const page = state.page;
  if (!page) return;
  page.ending = true;
  renderCallMeta();
  try {
    await api('/end-call', {
      method: 'POST',
      body: JSON.stringify({ callSid: page.callSid }),
    });
    // Stays disabled: the call leaves the live list in a moment.
    $('call-error').textContent = '';
  } catch (err) {
    page.ending = false;
    if (endsSession(err)) return;
    $('call-error').textContent = err.message;
    renderCallMeta();
  }
}

$('end-call').addEventListener('click', () => void endCall());
