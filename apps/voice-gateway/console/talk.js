// The talk panel: talks to the agent through the browser proxy at /live/ws/… with an ephemeral token
// (POST /live/tokens), the microphone captured by an AudioWorklet at 16 kHz, the agent's 24 kHz audio
// played back, both transcripts shown. The model is the server's (GET /console/info).

import { $, Unauthorized, api, state } from './api.js';

const LIVE_WS_PATH =
  '/live/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';
const MIC_RATE = 16000;
const PLAY_RATE = 24000;

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

function transcriptItem(role, text) {
  const li = document.createElement('li');
  li.dataset.testid = 'transcript-entry';
  li.dataset.role = role;
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = role;
  const what = document.createElement('span');
  what.className = 'text';
  what.textContent = text;
  li.append(who, what);
  return li;
}

/** Appends to the current line of `role`, or starts one after the other speaker's. */
function talkTranscript(role, text) {
  const list = $('talk-transcript');
  const last = list.lastElementChild;
  if (last?.dataset.role === role) {
    last.querySelector('.text').textContent += text;
  } else {
    list.append(transcriptItem(role, text));
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
  const model = state.info?.model;
  if (talk || !model) return;
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
            model,
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

export function stopTalk() {
  const t = talk;
  if (!t) return;
  talk = null;
  t.ws?.close(1000);
  t.media?.getTracks().forEach((track) => track.stop());
  void t.micCtx.close();
  void t.playCtx.close();
  $('talk-stop').disabled = true;
  talkStatus('idle');
  renderTalkModel();
}

/**
 * Shows the model the server talks to (or why it is unknown); Start is enabled only with a model,
 * while not talking.
 */
export function renderTalkModel(error = '') {
  const model = state.info?.model;
  $('talk-model').textContent = model ?? (error ? `unknown (${error})` : '…');
  $('talk-model').dataset.state = model ? 'known' : error ? 'error' : 'loading';
  $('talk-start').disabled = !model || talk !== null;
  $('talk-start').title = model
    ? ''
    : 'Waiting for the server to name its model';
}

$('talk-start').addEventListener('click', () => void startTalk());
$('talk-stop').addEventListener('click', () => stopTalk());
