// "Your time": a meeting's next start in the viewer's own zone, shown only when it differs
// from the meeting's local time. The zone is read in the browser and never sent anywhere
// except as the finder's `tz` field.
const formats = new Map();
// Weekday names in the page's language (its <html lang>), not the browser's: a visitor may have chosen another.
const pageLanguage = () => globalThis.document?.documentElement?.lang || undefined;

function format(zone) {
  const key = zone || '';
  if (!formats.has(key)) {
    formats.set(key, new Intl.DateTimeFormat(pageLanguage(), {
      weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone || undefined,
    }));
  }
  return formats.get(key);
}

// A zone as people say it, as the server writes it: "America/New_York" is "New York".
export function zoneLabel(zone) {
  if (!zone || !zone.includes('/') || zone.startsWith('Etc/')) return (zone || '').replace(/^Etc\//, '');
  return zone.slice(zone.lastIndexOf('/') + 1).replaceAll('_', ' ');
}

export function viewerZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch {
    return '';
  }
}

// Weekday and wall-clock time of an ISO instant in a zone ('' for the viewer's own).
export function timeIn(iso, zone) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return '';
  try {
    return format(zone).format(when);
  } catch {
    return '';
  }
}

// The viewer's wall-clock time for an ISO instant, or '' when it reads the same as in `zone`.
export function viewerTime(iso, zone) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return '';
  try {
    const mine = format('').format(when);
    return mine === format(zone).format(when) ? '' : mine;
  } catch {
    return '';
  }
}

export function fillViewerTimes(root = document) {
  for (const element of root.querySelectorAll('.viewer-time[data-start]')) {
    const slot = element.querySelector('.t');
    if (!slot || slot.textContent.trim()) continue; // the server already wrote it
    const text = viewerTime(element.dataset.start, element.dataset.zone);
    if (text) {
      slot.textContent = text;
      element.hidden = false;
    }
  }
}
