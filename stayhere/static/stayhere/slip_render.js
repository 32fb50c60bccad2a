// Renders a signed slip with the attendee's name and salt, in this page only, for printing or saving as PDF.
import { formatSalt, svgNode } from './slip_commit.js';

const STORE = 'stayhere.slips';

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function labels() {
  const source = document.getElementById('slip-labels');
  return source ? JSON.parse(source.dataset.labels) : {};
}

// Keeps the slip with its name and salt in this browser, so it can be shown and printed again.
export function keep(result, name, salt) {
  try {
    const kept = JSON.parse(localStorage.getItem(STORE) || '[]');
    kept.push({ token: result.token, url: result.url, qr_svg: result.qr_svg, name, salt });
    localStorage.setItem(STORE, JSON.stringify(kept.slice(-20)));
  } catch (problem) { /* private browsing: the slip is still on screen */ }
}

export function renderSlip(container, result, name, salt) {
  const L = labels();
  const s = result.slip;
  const fields = [
    [L.name || 'Name', name],
    [L.salt || 'Salt', formatSalt(salt)],
    [L.group || 'Group', s.group_name],
    [L.meeting || 'Meeting', s.meeting_name],
    [L.date || 'Date', s.date],
    [L.times || 'Local start and end', `${s.start}–${s.end} (${s.tz})`],
    [L.minutes || 'Minutes present', String(s.minutes)],
    [L.key || 'Signing key', s.key],
  ];
  const list = el('dl', { class: 'slip-fields' });
  for (const [term, value] of fields) list.append(el('dt', { text: term }), el('dd', { text: value }));
  const qr = el('div', { class: 'qr', role: 'img', 'aria-label': L.qr || 'QR code of the signed slip' });
  qr.append(svgNode(result.qr_svg));
  const file = new Blob([JSON.stringify({ token: result.token }, null, 1)], { type: 'application/json' });
  const save = el('a', { href: URL.createObjectURL(file), download: `slip-${s.date}-${s.meeting}.json`, text: L.save || 'Save the slip file' });
  const print = el('button', { type: 'button', text: L.print || 'Print or save as PDF' });
  print.addEventListener('click', () => window.print());
  const slip = el('section', { class: 'slip', id: 'slip', 'aria-labelledby': 'slip-h', tabindex: '-1' }, [
    el('h2', { id: 'slip-h', text: L.title || 'Attendance slip' }),
    list,
    qr,
    el('p', { class: 'slip-note', text: L.note || '' }),
    el('p', { class: 'slip-url' }, [el('code', { class: 'wrap', text: result.url })]),
    el('p', { class: 'no-print slip-actions' }, [print, ' ', save]),
  ]);
  container.replaceChildren(slip);
  slip.focus();
  return slip;
}

// A slip whose link is not absolute (signed where the server did not know its own address) gets one here.
export async function withLink(result) {
  if (/^https?:/.test(result.url || '')) return result;
  const response = await fetch('/slips/qr', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: result.token }) });
  if (!response.ok) return result;
  return { ...result, ...(await response.json()) };
}
