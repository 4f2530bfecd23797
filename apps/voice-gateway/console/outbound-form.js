// "Place a call": POST /calls {to, profile?, from?} → 201 {callSid}; refusals show their reason.

import { $, ApiError, api, endsSession, state } from './api.js';

const REFUSALS = {
  400: 'Refused',
  404: 'Not available on this server',
  409: 'Refused',
  429: 'Too many requests (try again in a minute)',
  502: 'Twilio did not take the call',
  503: 'Cannot place calls right now',
};

let placing = false;

function show(stateName, ...content) {
  const result = $('outbound-result');
  result.dataset.state = stateName;
  result.className = stateName === 'error' ? 'error' : 'muted';
  result.setAttribute('role', stateName === 'error' ? 'alert' : 'status');
  result.replaceChildren(...content);
}

/** Enables the form when the admin API is reachable and no call is being placed. */
export function renderOutboundForm() {
  const disabled = placing || !state.adminAvailable;
  for (const el of $('outbound-form').elements) el.disabled = disabled;
  $('outbound-submit').title = state.adminAvailable
    ? ''
    : 'The admin API is unavailable (reconnecting)';
}

/** Fills the profile choices from `GET /console/info`. */
export function setProfiles(names) {
  const select = $('outbound-profile');
  const options = [new Option('default (by number)', '')];
  for (const name of names ?? []) options.push(new Option(name, name));
  select.replaceChildren(...options);
}

function placed(to, callSid) {
  const link = document.createElement('a');
  link.href = `#/calls/${encodeURIComponent(callSid)}`;
  link.dataset.testid = 'outbound-call-link';
  link.textContent = callSid;
  show('placed', `Calling ${to}: `, link);
}

async function submit() {
  const to = $('outbound-to').value.trim();
  const profile = $('outbound-profile').value;
  const from = $('outbound-from').value.trim();
  const body = { to, ...(profile && { profile }), ...(from && { from }) };
  placing = true;
  renderOutboundForm();
  show('placing', `Calling ${to}…`);
  try {
    const { callSid } = await api('/calls', {
      method: 'POST',
      body: JSON.stringify(body),
    });
    placed(to, callSid);
  } catch (err) {
    if (endsSession(err)) return;
    const label =
      err instanceof ApiError
        ? `${err.status} ${REFUSALS[err.status] ?? 'Failed'}`
        : 'Failed';
    show('error', `${label}: ${err.message}`);
  } finally {
    placing = false;
    renderOutboundForm();
  }
}

$('outbound-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void submit();
});
