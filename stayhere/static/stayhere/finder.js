import { fillViewerTimes, timeIn, viewerTime, viewerZone, zoneLabel } from './times.js';
import * as favourites from './favourites.js';

const byId = (id) => document.getElementById(id);

// The viewer's zone, so results show their own time and "Tuesday evening" means theirs.
const tz = byId('f-tz');
if (tz && !tz.value) tz.value = viewerZone();
fillViewerTimes();

// Towns from the directory's own list, never from a geocoding service.
const place = byId('f-place');
const towns = byId('f-places');
const near = byId('f-position');
const status = byId('position-status');
const usePosition = byId('use-position');
const forgetPosition = byId('forget-position');
let timer = 0;
let asked = '';

function forget() {
  near.value = '';
  forgetPosition.hidden = true;
  status.textContent = '';
}

if (place && towns) {
  place.addEventListener('input', () => {
    if (near.value) forget(); // a town typed replaces the position
    window.clearTimeout(timer);
    const prefix = place.value.trim();
    if (prefix.length < 2 || prefix === asked) return;
    timer = window.setTimeout(async () => {
      asked = prefix;
      try {
        const response = await fetch(`/api/places?${new URLSearchParams({ q: prefix })}`);
        if (!response.ok) return;
        const { places } = await response.json();
        towns.replaceChildren(...places.map((found) => new Option('', found.name)));
      } catch {
        // No suggestions; the field still works as plain text.
      }
    }, 250);
  });
}

// The position is rounded to two decimals (about a kilometre) before it goes into the form.
if (usePosition && 'geolocation' in navigator) {
  usePosition.hidden = false;
  usePosition.addEventListener('click', () => {
    status.textContent = usePosition.dataset.asking;
    navigator.geolocation.getCurrentPosition(
      ({ coords }) => {
        near.value = `${coords.latitude.toFixed(2)},${coords.longitude.toFixed(2)}`;
        place.value = '';
        forgetPosition.hidden = false;
        status.textContent = usePosition.dataset.found;
      },
      () => {
        status.textContent = usePosition.dataset.failed;
      },
      { enableHighAccuracy: false, maximumAge: 600000, timeout: 20000 },
    );
  });
}
if (forgetPosition && near && near.value) forgetPosition.hidden = false;
forgetPosition?.addEventListener('click', forget);

// Favourites: the saved slugs are sent only to fetch those meetings' current listings.
const section = byId('favourites');
const saved = favourites.load();
function explainNoFavourites() {
  if (section && !favourites.load().length && window.location.hash === '#favourites') {
    section.hidden = false;
    byId('favourites-status').textContent = section.dataset.none;
  }
}
explainNoFavourites();
window.addEventListener('hashchange', explainNoFavourites);
if (section && saved.length) {
  section.hidden = false;
  const list = byId('favourite-list');
  const template = byId('favourite-template');
  const note = byId('favourites-status');
  const text = section.dataset;
  const item = (name, url, when, where) => {
    const node = template.content.firstElementChild.cloneNode(true);
    const link = node.querySelector('a');
    link.textContent = name;
    if (url) link.href = url;
    else link.removeAttribute('href');
    node.querySelector('.when').textContent = when;
    node.querySelector('.where').textContent = where;
    return node;
  };
  const params = new URLSearchParams({ page_size: '100' });
  for (const { slug } of saved) params.append('slug', slug);
  if (tz && tz.value) params.set('tz', tz.value);
  fetch(`/api/meetings?${params}`)
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
    .then(({ meetings }) => {
      const found = new Set(meetings.map((meeting) => meeting.slug));
      const rows = meetings.map((meeting) => {
        const own = meeting.next_start ? `${timeIn(meeting.next_start, meeting.timezone)} (${zoneLabel(meeting.timezone)})` : '';
        const mine = meeting.next_start ? viewerTime(meeting.next_start, meeting.timezone) : '';
        const when = mine ? `${own} · ${text.yourTime} ${mine}` : own;
        const where = meeting.location && meeting.attendance !== 'online' && meeting.attendance !== 'phone'
          ? meeting.location.formatted_address
          : text[meeting.attendance] || '';
        return item(meeting.name, meeting.url, when, where);
      });
      for (const gone of saved.filter(({ slug }) => !found.has(slug))) {
        rows.push(item(gone.name || gone.slug, '', text.gone, ''));
      }
      list.replaceChildren(...rows);
    })
    .catch(() => {
      list.replaceChildren(...saved.map(({ slug, name }) => item(name || slug, `/meetings/${encodeURIComponent(slug)}`, '', '')));
      note.textContent = text.failed;
    });
}
