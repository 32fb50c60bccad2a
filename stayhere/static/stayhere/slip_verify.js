// The officer's page: the server checks the signature (the slip holds no name); this page checks the name.
import { commitment, parseSalt } from './slip_commit.js';

const form = document.getElementById('verify-form');
const tokenBox = document.getElementById('slip-token');
const fileInput = document.getElementById('slip-file');
const section = document.getElementById('verdict');
const signatureLine = document.getElementById('verdict-signature');
const nameLine = document.getElementById('verdict-name');
const fields = document.getElementById('verdict-slip');
const L = JSON.parse(document.getElementById('verify-labels').dataset.labels);

// Opened from a slip's QR code: the slip is after '#', which the browser never sends to the server.
if (location.hash.length > 1) tokenBox.value = decodeURIComponent(location.hash.slice(1));

function tokenFrom(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try { return String(JSON.parse(trimmed).token || ''); } catch (problem) { return ''; }
  }
  return trimmed.includes('#') ? decodeURIComponent(trimmed.split('#').pop()) : trimmed;
}

fileInput.addEventListener('change', async () => {
  const file = fileInput.files[0];
  if (file) tokenBox.value = tokenFrom(await file.text());
  fileInput.value = '';
});

function showFields(slip) {
  fields.replaceChildren();
  const rows = [[L.group, slip.group_name], [L.meeting, slip.meeting_name], [L.date, slip.date],
    [L.times, `${slip.start}–${slip.end} (${slip.tz})`], [L.minutes, String(slip.minutes)], [L.key, slip.key]];
  for (const [term, value] of rows) {
    const dt = document.createElement('dt'); dt.textContent = term;
    const dd = document.createElement('dd'); dd.textContent = value;
    fields.append(dt, dd);
  }
}

form.addEventListener('submit', async (submitted) => {
  submitted.preventDefault();
  const response = await fetch(form.dataset.checkUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: tokenFrom(tokenBox.value) }) });
  const verdict = await response.json();
  section.hidden = false;
  signatureLine.textContent = verdict.message || verdict.error;
  signatureLine.className = `verdict ${verdict.valid ? 'ok' : 'bad'}`;
  signatureLine.dataset.code = verdict.code || 'error';
  if (verdict.slip && verdict.slip.commitment) showFields(verdict.slip); else fields.replaceChildren();
  const name = document.getElementById('slip-name').value;
  const salt = document.getElementById('slip-salt').value;
  nameLine.hidden = false;
  if (!verdict.slip || !verdict.slip.commitment) { nameLine.hidden = true; return; }
  let code = 'no_name';
  if (name.trim()) {
    const saltBytes = parseSalt(salt);
    if (!saltBytes) code = 'bad_salt';
    else code = (await commitment(name, saltBytes)) === verdict.slip.commitment ? 'match' : 'wrong_name';
  }
  nameLine.dataset.code = code;
  nameLine.textContent = L[code];
  nameLine.className = `verdict ${code === 'match' ? 'ok' : 'bad'}`;
  section.focus();
});
