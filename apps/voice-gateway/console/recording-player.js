// The call page's recording player (plain ES module). An <audio src> cannot send the admin key, so
// the recording is fetched with the Authorization header and played from a blob: URL (the console's
// Content-Security-Policy allows `media-src 'self' blob:`). `…/recording/info` first: a call without a
// recording shows nothing (and costs no 404), and a large one is only downloaded when asked for.

/** Recordings up to this size load at once (bytes: about 4 minutes of 2-channel 8 kHz 16-bit). */
const AUTOLOAD_BYTES = 8 * 1024 * 1024;
/** A call that just ended may still be publishing its recording: look again this often (ms)… */
const RETRY_MS = 1000;
/** …for this long after the call ended (ms). */
const RETRY_WINDOW_MS = 15000;
const WAV_HEADER_BYTES = 44;
/** Bytes per second of the recording: 8000 Hz × 2 channels × 2 bytes. */
const BYTES_PER_SECOND = 32000;

const $ = (id) => document.getElementById(id);

/** What the player shows now; replaced (and its blob URL revoked) on every call page. */
let current = null;

function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function recordingUrl(callSid) {
  return `/calls/${encodeURIComponent(callSid)}/recording`;
}

/** Hides the player and lets go of the previous call's recording. */
export function hideRecording() {
  if (current) {
    current.controller.abort();
    clearTimeout(current.retry);
    if (current.url) URL.revokeObjectURL(current.url);
    current = null;
  }
  const audio = $('recording-audio');
  audio.pause();
  audio.removeAttribute('src');
  audio.hidden = true;
  $('recording-load').hidden = true;
  $('recording-info').textContent = '';
  $('call-recording').hidden = true;
  $('call-recording').dataset.state = 'none';
}

/**
 * Shows the recording of an ended call, if it has one. `endedAt` (ISO): until 15 s after it, a
 * missing recording is looked for again (it is published a moment after the call ends).
 */
export function showRecording(callSid, key, endedAt) {
  hideRecording();
  const page = { callSid, key, controller: new AbortController(), url: null };
  current = page;
  void probe(page, endedAt ? Date.parse(endedAt) : 0);
}

async function probe(page, endedAtMs) {
  let info;
  try {
    const res = await fetch(`${recordingUrl(page.callSid)}/info`, {
      headers: { authorization: `Bearer ${page.key}` },
      signal: page.controller.signal,
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    info = await res.json();
  } catch (err) {
    if (current === page && !page.controller.signal.aborted)
      showState('error', `Recording unavailable: ${err.message}`);
    return;
  }
  if (current !== page) return;
  if (info.status === 'failed')
    return showState('failed', 'The recording failed (see the service log).');
  if (info.status !== 'complete' && info.status !== 'partial') {
    // Not recorded, or still being published: look again for a little while after the call ended.
    if (Date.now() - endedAtMs < RETRY_WINDOW_MS)
      page.retry = setTimeout(() => void probe(page, endedAtMs), RETRY_MS);
    return;
  }
  const bytes = info.bytes ?? 0;
  const seconds =
    info.durationMs !== undefined
      ? info.durationMs / 1000
      : (bytes - WAV_HEADER_BYTES) / BYTES_PER_SECOND;
  const text = [
    duration(seconds),
    'caller left, agent right',
    `${(bytes / 1048576).toFixed(1)} MB`,
    info.status === 'partial' ? 'has gaps: the disk fell behind' : '',
  ].filter(Boolean);
  showState('available', text.join(' · '));
  if (bytes <= AUTOLOAD_BYTES) return load(page);
  const button = $('recording-load');
  button.hidden = false;
  button.onclick = () => {
    button.hidden = true;
    void load(page);
  };
}

async function load(page) {
  showState('loading');
  try {
    const res = await fetch(recordingUrl(page.callSid), {
      headers: { authorization: `Bearer ${page.key}` },
      signal: page.controller.signal,
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const blob = await res.blob();
    if (current !== page) return;
    page.url = URL.createObjectURL(blob);
    const audio = $('recording-audio');
    audio.src = page.url;
    audio.hidden = false;
    showState('ready');
  } catch (err) {
    if (current === page && !page.controller.signal.aborted)
      showState('error', `Recording could not be loaded: ${err.message}`);
  }
}

function showState(state, text) {
  $('call-recording').hidden = false;
  $('call-recording').dataset.state = state;
  if (text !== undefined) $('recording-info').textContent = text;
}
