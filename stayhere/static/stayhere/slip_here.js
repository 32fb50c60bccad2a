// The page a scan of the chair's code opens: check in, then (after the minimum) get the slip.
import { commitment, newSalt, parseSalt } from './slip_commit.js';
import { keep, renderSlip } from './slip_render.js';

const page = document.getElementById('slip-here');
const form = document.getElementById('slip-request');
const statusLine = document.getElementById('here-status');
const slug = page.dataset.slug;
const ARRIVAL = `stayhere.arrival.${slug}`;

async function scan(commit) {
  const body = {
    minute: Number(page.dataset.minute),
    code: page.dataset.code,
    arrival: localStorage.getItem(ARRIVAL) || '',
    commitment: commit || '',
  };
  const response = await fetch(page.dataset.scanUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json();
  if (answer.arrival) localStorage.setItem(ARRIVAL, answer.arrival);
  return answer;
}

function say(text) { statusLine.textContent = text; }

async function start() {
  try {
    const answer = await scan('');
    if (answer.error) { say(answer.error); return; }
    if (answer.wait) { say(answer.wait); return; }
    say(page.dataset.ready || '');
    form.hidden = false;
    document.getElementById('slip-your-name').focus();
  } catch (problem) { say(String(problem)); }
}

form.addEventListener('submit', async (submitted) => {
  submitted.preventDefault();
  const name = document.getElementById('slip-your-name').value;
  if (!name.trim()) return;
  const salt = newSalt();
  const answer = await scan(await commitment(name, parseSalt(salt)));
  if (answer.error || answer.wait) { say(answer.error || answer.wait); return; }
  keep(answer.slip, name, salt);
  form.hidden = true;
  say('');
  renderSlip(document.getElementById('slip-out'), answer.slip, name, salt);
});

start();
