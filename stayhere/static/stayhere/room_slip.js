// The room's "Get an attendance slip" section: shown when the room says the group gives slips.
// The name and the salt stay in this page; only the commitment is sent (type "slip").
import { commitment, newSalt, parseSalt } from './slip_commit.js';
import { keep, renderSlip, withLink } from './slip_render.js';

let pending = null; // { name, salt } while the room signs
let sendMessage = () => false;

function $(id) { return document.getElementById(id); }

export function initSlips(send) {
  sendMessage = send;
  const form = $('slip-request');
  if (!form) return;
  form.addEventListener('submit', async (submitted) => {
    submitted.preventDefault();
    const name = $('slip-your-name').value;
    if (!name.trim()) return;
    const salt = newSalt();
    const commit = await commitment(name, parseSalt(salt));
    pending = { name, salt };
    if (sendMessage({ type: 'slip', commitment: commit })) $('slip-status').textContent = $('room-slip').dataset.asking || '';
  });
}

// From a welcome's or a snapshot's fields: show the section when the group gives slips.
export function slipSnapshot(snapshot) {
  const section = $('room-slip');
  if (!section || !snapshot || typeof snapshot.slips !== 'boolean') return;
  section.hidden = !snapshot.slips;
  $('slip-request').hidden = !snapshot.slips;
  const minimum = $('slip-minimum');
  if (minimum && snapshot.slip_minimum_minutes !== undefined) minimum.textContent = String(snapshot.slip_minimum_minutes);
}

export async function slipEvent(result) {
  if (!pending) return;
  const { name, salt } = pending;
  pending = null;
  const linked = await withLink(result);
  keep(linked, name, salt);
  $('slip-status').textContent = '';
  $('slip-request').hidden = true;
  renderSlip($('slip-out'), linked, name, salt);
}

export function slipError(message) {
  pending = null;
  const line = $('slip-status');
  if (line) line.textContent = message;
}
