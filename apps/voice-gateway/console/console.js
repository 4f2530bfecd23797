// Operator console: plain ES module, no build step. Talks to the admin API with the key kept in
// sessionStorage, follows GET /console/events (server-sent events read through fetch, which can send
// the Authorization header), and talks to the agent through the browser proxy at /live/ws/….

import { hideRecording, showRecording } from './recording-player.js';

const KEY_STORAGE = 'voice-console.admin-key';
const LIVE_WS_PATH =
  '/live/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';
const LIVE_MODEL = 'models/gemini-3.8-live';
const MIC_RATE = 16000;
const PLAY_RATE = 24000;

const $ = (id) => document.getElementById(id);

const state = {
  key: sessionStorage.getItem(KEY_STORAGE) ?? '',
  liveCalls: [],
  /** The call page's call and its transcript (live entries are appended as they arrive). */
  page: null,
  stream: null,
};

// ---------------------------------------------------------------- admin API

class Unauthorized extends Error {}

async function api(path, init = {}) {
  const res = await fetch(path, {
    ...init,
    headers: {
      authorization: `Bearer ${state.key}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
  if (res.status === 401 || res.status === 403)
    throw new Unauthorized(`HTTP ${res.status}`);
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new Error(body.message ?? `HTTP ${res.status}`);
  }
  return res.json();
}

// ---------------------------------------------------------------- sign in / out

function showSignIn(message = '') {
  stopEvents();
  state.key = '';
  sessionStorage.removeItem(KEY_STORAGE);
  $('sign-in-view').hidden = false;
  $('home-view').hidden = true;
  $('call-view').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in-error').textContent = message;
}

async function signIn(key) {
  state.key = key;
  try {
    await api('/calls'); // checks the key
  } catch (err) {
    showSignIn(
      err instanceof Unauthorized
        ? 'That key was refused.'
        : String(err.message),
    );
    return;
  }
  sessionStorage.setItem(KEY_STORAGE, key);
  $('sign-in-view').hidden = true;
  $('sign-out').hidden = false;
  startEvents();
  route();
}

// ---------------------------------------------------------------- event stream

function setStreamStatus(text) {
  $('stream-status').textContent = text;
  $('stream-status').dataset.state = text;
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
          showSignIn('Your key is no longer accepted.');
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
    if (state.page) {
      renderCallMeta();
      // The page's call just ended: fetch its final record (status, end time).
      if (
        !state.liveCalls.some((c) => c.callSid === state.page.callSid) &&
        state.page.wasLive
      )
        void openCall(state.page.callSid);
    }
  } else if (type === 'transcript' && state.page?.callSid === data.callSid) {
    addTranscriptEntry(state.page, data.entry);
  }
}

// ---------------------------------------------------------------- home: live and past calls

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  return td;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '';
}

function callRow(call, columns, testid) {
  const tr = document.createElement('tr');
  tr.dataset.testid = testid;
  tr.dataset.callSid = call.callSid;
  tr.tabIndex = 0;
  for (const value of columns) tr.append(cell(value));
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
      [c.callSid, c.from, c.to, c.status, time(c.startedAt)],
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
          [c.callSid, c.from, c.status, time(c.startedAt), time(c.endedAt)],
          'past-call',
        ),
      ),
    );
  } catch (err) {
    if (err instanceof Unauthorized)
      showSignIn('Your key is no longer accepted.');
  }
}

// ---------------------------------------------------------------- call page

function entryKey(entry) {
  return `${entry.at}|${entry.role}|${entry.text}`;
}

function transcriptItem(role, text, label = role) {
  const li = document.createElement('li');
  li.dataset.testid = 'transcript-entry';
  li.dataset.role = role;
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = label;
  const what = document.createElement('span');
  what.className = 'text';
  what.textContent = text;
  li.append(who, what);
  return li;
}

function addTranscriptEntry(page, entry) {
  const key = entryKey(entry);
  if (page.seen.has(key)) return;
  page.seen.add(key);
  $('call-transcript').append(transcriptItem(entry.role, entry.text));
}

function renderCallMeta() {
  const { record, callSid } = state.page;
  const live = state.liveCalls.some((c) => c.callSid === callSid);
  if (live) state.page.wasLive = true;
  const status = live ? 'live' : record ? 'ended' : 'loading';
  $('call-meta').textContent = record
    ? `${record.from} → ${record.to} · started ${time(record.startedAt)} · ${live ? 'live' : record.status}`
    : status;
  $('call-view').dataset.status = status;
  $('end-call').disabled = !live;
}

async function openCall(callSid) {
  // Live entries that arrive while the record loads are kept, and merged without duplicates.
  const page = { callSid, record: null, seen: new Set() };
  state.page = page;
  hideRecording();
  $('call-sid').textContent = callSid;
  $('call-error').textContent = '';
  $('call-transcript').replaceChildren();
  renderCallMeta();
  try {
    const record = await api(`/calls/${encodeURIComponent(callSid)}`);
    if (state.page !== page) return;
    page.record = record;
    const live = [...$('call-transcript').children];
    $('call-transcript').replaceChildren();
    page.seen.clear();
    for (const entry of record.transcript ?? [])
      addTranscriptEntry(page, entry);
    for (const li of live) {
      const entry = {
        role: li.dataset.role,
        text: li.querySelector('.text').textContent,
      };
      if (
        ![...page.seen].some((k) => k.endsWith(`|${entry.role}|${entry.text}`))
      )
        $('call-transcript').append(li);
    }
    renderCallMeta();
    // An ended call's recording (if it was recorded) plays here.
    if (!state.liveCalls.some((c) => c.callSid === callSid))
      showRecording(callSid, state.key, record.endedAt);
  } catch (err) {
    if (err instanceof Unauthorized)
      return showSignIn('Your key is no longer accepted.');
    if (state.page === page) $('call-error').textContent = err.message;
  }
}

async function endCall() {
  const page = state.page;
  if (!page) return;
  $('end-call').disabled = true;
  try {
    await api('/end-call', {
      method: 'POST',
      body: JSON.stringify({ callSid: page.callSid }),
    });
    $('call-error').textContent = '';
  } catch (err) {
    $('call-error').textContent = err.message;
    renderCallMeta();
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
    state.page = null;
    hideRecording();
    renderLiveCalls();
    void loadPastCalls();
  }
}

// ---------------------------------------------------------------- talk to the agent

window.__talkStats = {
  chunksSent: 0,
  audioChunksReceived: 0,
  samplesPlayed: 0,
};

let talk = null;

function talkStatus(text) {
  $('talk-status').textContent = text;
  $('talk-status').dataset.state = text;
}

function bytesToBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function base64ToInt16(data) {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length & ~1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Int16Array(bytes.buffer);
}

/** Appends to the current line of `role`, or starts one after the other speaker's. */
function talkTranscript(role, text) {
  const list = $('talk-transcript');
  const last = list.lastElementChild;
  if (last?.dataset.role === role) {
    last.querySelector('.text').textContent += text;
  } else {
    list.append(transcriptItem(role, text, role === 'you' ? 'you' : 'agent'));
  }
}

function playPcm(t, samples) {
  const ctx = t.playCtx;
  const buffer = ctx.createBuffer(1, samples.length, PLAY_RATE);
  const channel = buffer.getChannelData(0);
  for (let i = 0; i < samples.length; i++) channel[i] = samples[i] / 0x8000;
  const source = ctx.createBufferSource();
  source.buffer = buffer;
  source.connect(ctx.destination);
  t.playAt = Math.max(t.playAt, ctx.currentTime + 0.05);
  source.start(t.playAt);
  t.playAt += buffer.duration;
  t.sources.add(source);
  source.onended = () => {
    t.sources.delete(source);
    if (!t.interrupted.has(source))
      window.__talkStats.samplesPlayed += samples.length;
  };
}

function onLiveMessage(t, message) {
  if (message.setupComplete) return t.setupDone?.();
  const content = message.serverContent;
  if (!content) return;
  if (content.interrupted) {
    for (const source of t.sources) {
      t.interrupted.add(source);
      source.stop();
    }
    t.playAt = 0;
  }
  for (const part of content.modelTurn?.parts ?? []) {
    if (
      part.inlineData?.mimeType?.startsWith('audio/pcm') &&
      part.inlineData.data
    ) {
      window.__talkStats.audioChunksReceived++;
      playPcm(t, base64ToInt16(part.inlineData.data));
    }
  }
  if (content.inputTranscription?.text)
    talkTranscript('you', content.inputTranscription.text);
  if (content.outputTranscription?.text)
    talkTranscript('agent', content.outputTranscription.text);
}

async function startTalk() {
  if (talk) return;
  $('talk-start').disabled = true;
  $('talk-stop').disabled = false;
  $('talk-transcript').replaceChildren();
  // Both contexts are made inside the click, so autoplay rules let them run.
  const t = {
    micCtx: new AudioContext({ sampleRate: MIC_RATE }),
    playCtx: new AudioContext({ sampleRate: PLAY_RATE }),
    playAt: 0,
    sources: new Set(),
    interrupted: new WeakSet(),
    ws: null,
    media: null,
    setupDone: null,
  };
  talk = t;
  try {
    talkStatus('connecting');
    const { token } = await api('/live/tokens', { method: 'POST' });
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    t.ws = new WebSocket(
      `${scheme}://${location.host}${LIVE_WS_PATH}?key=${encodeURIComponent(token)}`,
    );
    const ready = new Promise((resolve, reject) => {
      t.setupDone = resolve;
      t.ws.onclose = (e) => reject(new Error(`closed ${e.code} ${e.reason}`));
    });
    t.ws.onmessage = async (e) => {
      const text = typeof e.data === 'string' ? e.data : await e.data.text();
      onLiveMessage(t, JSON.parse(text));
    };
    t.ws.onopen = () =>
      t.ws.send(
        JSON.stringify({
          setup: {
            model: LIVE_MODEL,
            generationConfig: { responseModalities: ['AUDIO'] },
            inputAudioTranscription: {},
            outputAudioTranscription: {},
          },
        }),
      );
    await ready;
    t.ws.onclose = (e) => {
      if (talk === t) {
        stopTalk();
        talkStatus(`closed (${e.code}${e.reason ? `: ${e.reason}` : ''})`);
      }
    };

    t.media = await navigator.mediaDevices.getUserMedia({
      audio: {
        channelCount: 1,
        echoCancellation: true,
        noiseSuppression: false,
        autoGainControl: false,
      },
    });
    await t.micCtx.audioWorklet.addModule('/console/talk-worklet.js');
    if (talk !== t) return;
    const source = t.micCtx.createMediaStreamSource(t.media);
    const capture = new AudioWorkletNode(t.micCtx, 'talk-capture', {
      channelCountMode: 'explicit',
      channelCount: 2,
    });
    capture.port.onmessage = ({ data }) => {
      if (t.ws.readyState !== WebSocket.OPEN) return;
      t.ws.send(
        JSON.stringify({
          realtimeInput: {
            audio: {
              data: bytesToBase64(new Uint8Array(data)),
              mimeType: `audio/pcm;rate=${MIC_RATE}`,
            },
          },
        }),
      );
      window.__talkStats.chunksSent++;
    };
    // A silent path to the destination keeps the graph (and so the worklet) running.
    const mute = t.micCtx.createGain();
    mute.gain.value = 0;
    source.connect(capture).connect(mute).connect(t.micCtx.destination);
    await Promise.all([t.micCtx.resume(), t.playCtx.resume()]);
    talkStatus('talking');
  } catch (err) {
    if (talk === t) {
      stopTalk();
      talkStatus(
        err instanceof Unauthorized ? 'refused' : `failed: ${err.message}`,
      );
    }
  }
}

function stopTalk() {
  const t = talk;
  if (!t) return;
  talk = null;
  t.ws?.close(1000);
  t.media?.getTracks().forEach((track) => track.stop());
  void t.micCtx.close();
  void t.playCtx.close();
  $('talk-start').disabled = false;
  $('talk-stop').disabled = true;
  talkStatus('idle');
}

// ---------------------------------------------------------------- wiring

$('sign-in-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void signIn($('admin-key').value.trim());
});
$('sign-out').addEventListener('click', () => {
  stopTalk();
  showSignIn();
});
$('refresh-past').addEventListener('click', () => void loadPastCalls());
$('end-call').addEventListener('click', () => void endCall());
$('talk-start').addEventListener('click', () => void startTalk());
$('talk-stop').addEventListener('click', () => stopTalk());
window.addEventListener('hashchange', route);

if (state.key) void signIn(state.key);
else showSignIn();
