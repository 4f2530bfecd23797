// Operator console: plain ES modules, no build step. Talks to the admin API with the key kept in
// sessionStorage (api.js), follows GET /console/events (server-sent events read through fetch, which
// can send the Authorization header), places outbound calls (outbound-form.js), shows a call's details
// and timeline (call-page.js, timeline.js) and talks to the agent through the browser proxy (talk.js).

import {
  $,
  ADMIN_DISABLED_MESSAGE,
  AdminDisabled,
  Unauthorized,
  api,
  endsSession,
  saveKey,
  session,
  state,
} from './api.js';
import {
  addTranscriptEntry,
  closeCall,
  openCall,
  renderCallMeta,
} from './call-page.js';
import {
  answeredBy,
  callSeconds,
  direction,
  duration,
  endReason,
  timeElement,
  transferSummary,
} from './format.js';
import { renderOutboundForm, setProfiles } from './outbound-form.js';
import { renderTalkModel, stopTalk } from './talk.js';

// ---------------------------------------------------------------- sign in / out

function showSignIn(message = '', reason = message ? 'refused' : '') {
  stopEvents();
  stopTalk();
  saveKey('');
  state.info = null;
  $('sign-in-view').hidden = false;
  $('home-view').hidden = true;
  $('call-view').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in-error').textContent = message;
  $('sign-in-error').dataset.reason = reason;
}

session.signOut = (message) =>
  showSignIn(
    message,
    message === ADMIN_DISABLED_MESSAGE ? 'admin-disabled' : 'refused',
  );

async function signIn(key) {
  saveKey(key);
  try {
    await api('/calls'); // checks the key
  } catch (err) {
    if (err instanceof AdminDisabled)
      return showSignIn(ADMIN_DISABLED_MESSAGE, 'admin-disabled');
    return showSignIn(
      err instanceof Unauthorized ? 'That key was refused.' : err.message,
    );
  }
  $('sign-in-view').hidden = true;
  $('sign-out').hidden = false;
  startEvents();
  void loadInfo();
  route();
}

/** The model the talk panel uses and the profiles the outbound form offers. */
async function loadInfo() {
  renderTalkModel();
  try {
    state.info = await api('/console/info');
    setProfiles(state.info.profiles);
    renderTalkModel();
  } catch (err) {
    if (!endsSession(err)) renderTalkModel(err.message);
  }
}

// ---------------------------------------------------------------- event stream

/** `live`: the admin API answers; anything else disables the controls that need it. */
function setStreamStatus(text) {
  $('stream-status').textContent = text;
  $('stream-status').dataset.state = text;
  state.adminAvailable = text === 'live';
  renderOutboundForm();
  renderCallMeta();
}

function stopEvents() {
  state.stream?.abort();
  state.stream = null;
  setStreamStatus('offline');
}

/** Follows /console/events until signed out; reconnects after a drop with a growing delay. */
function startEvents() {
  stopEvents();
  const controller = new AbortController();
  state.stream = controller;
  let delay = 500;
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const res = await fetch('/console/events', {
          headers: { authorization: `Bearer ${state.key}` },
          signal: controller.signal,
        });
        if (res.status === 401 || res.status === 403) {
          session.signOut(
            res.status === 403
              ? ADMIN_DISABLED_MESSAGE
              : 'Your key is no longer accepted.',
          );
          return;
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        setStreamStatus('live');
        delay = 500;
        await readEvents(res.body, handleEvent);
      } catch (err) {
        if (controller.signal.aborted) return;
        console.warn('console event stream dropped', err);
      }
      if (controller.signal.aborted) return;
      setStreamStatus('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10000);
    }
  };
  void run();
}

/** Parses SSE framing (event/data lines, blank-line separated, `:` comments) from a byte stream. */
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = val;
        else if (field === 'data') data.push(val);
      }
      if (data.length > 0) onEvent(event, JSON.parse(data.join('\n')));
    }
  }
}

function handleEvent(type, data) {
  if (type === 'calls') {
    const ended = state.liveCalls.some(
      (c) => !data.calls.some((d) => d.callSid === c.callSid),
    );
    state.liveCalls = data.calls;
    renderLiveCalls();
    if (ended) void loadPastCalls();
    const page = state.page;
    if (page) {
      renderCallMeta();
      // The page's call just ended: fetch its final record (status, end time, reason).
      if (
        !state.liveCalls.some((c) => c.callSid === page.callSid) &&
        page.wasLive
      )
        void openCall(page.callSid);
    }
  } else if (type === 'transcript' && state.page?.callSid === data.callSid) {
    addTranscriptEntry(state.page, data.entry);
  }
}

// ---------------------------------------------------------------- home: live and past calls

function cell(value, name) {
  const td = document.createElement('td');
  if (value instanceof Node) td.append(value);
  else if (name === undefined) td.append(sidElement(value));
  else td.textContent = value ?? '';
  if (name) td.dataset.field = name;
  return td;
}

/** `CA3a8ec3…dffae6`: the whole CallSid is in the tooltip and on the call's page. */
function sidElement(callSid) {
  const code = document.createElement('code');
  code.textContent =
    callSid.length > 16
      ? `${callSid.slice(0, 8)}…${callSid.slice(-6)}`
      : callSid;
  code.title = callSid;
  return code;
}

function callRow(call, cells, testid) {
  const tr = document.createElement('tr');
  tr.dataset.testid = testid;
  tr.dataset.callSid = call.callSid;
  tr.dataset.direction = direction(call);
  tr.tabIndex = 0;
  tr.append(...cells);
  const open = () =>
    (location.hash = `#/calls/${encodeURIComponent(call.callSid)}`);
  tr.addEventListener('click', open);
  tr.addEventListener('keydown', (e) => e.key === 'Enter' && open());
  return tr;
}

function renderLiveCalls() {
  const rows = state.liveCalls.map((c) =>
    callRow(
      c,
      [
        cell(c.callSid),
        cell(direction(c), 'direction'),
        cell(c.from, 'from'),
        cell(c.to, 'to'),
        cell(c.status, 'status'),
        cell(answeredBy(c.answeredBy), 'answeredBy'),
        cell(timeElement(c.startedAt, 'short'), 'startedAt'),
      ],
      'live-call',
    ),
  );
  $('live-calls-body').replaceChildren(...rows);
  $('live-count').textContent = String(rows.length);
  $('no-live-calls').hidden = rows.length > 0;
}

async function loadPastCalls() {
  try {
    const { calls } = await api('/calls?status=ended&limit=20');
    $('past-calls-body').replaceChildren(
      ...calls.map((c) =>
        callRow(
          c,
          [
            cell(c.callSid),
            cell(direction(c), 'direction'),
            cell(c.from, 'from'),
            cell(c.to, 'to'),
            cell(c.status, 'status'),
            cell(endReason(c.endReason), 'endReason'),
            cell(duration(callSeconds(c)), 'duration'),
            cell(timeElement(c.startedAt, 'short'), 'startedAt'),
            cell(timeElement(c.endedAt, 'short'), 'endedAt'),
            cell(transferSummary(c), 'transfer'),
          ],
          'past-call',
        ),
      ),
    );
  } catch (err) {
    endsSession(err);
  }
}

// ---------------------------------------------------------------- routing

function route() {
  if (!state.key) return showSignIn();
  const match = /^#\/calls\/(.+)$/.exec(location.hash);
  $('home-view').hidden = Boolean(match);
  $('call-view').hidden = !match;
  if (match) {
    void openCall(decodeURIComponent(match[1]));
  } else {
    closeCall();
    renderLiveCalls();
    void loadPastCalls();
  }
}

// ---------------------------------------------------------------- wiring

$('sign-in-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void signIn($('admin-key').value.trim());
});
$('sign-out').addEventListener('click', () => showSignIn());
$('refresh-past').addEventListener('click', () => void loadPastCalls());
window.addEventListener('hashchange', route);

if (state.key) void signIn(state.key);
else showSignIn();
