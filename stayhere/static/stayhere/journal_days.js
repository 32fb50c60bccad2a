// Clean time from a clean date, as people count it: calendar days, months and years in the member's own time
// zone. Pure functions of plain dates ("YYYY-MM-DD"); the only clock is the instant passed to todayIn.
//
// A day count is the difference of two calendar dates, never of two instants divided by 24 hours, so a
// 23-hour or 25-hour day (DST) or a skipped date does not shift it. A month from the 31st, or a year from the
// 29th of February, lands on the last day of a shorter month (29 February 2024 + 1 year = 28 February 2025).

const DAY_MS = 86400000;

/** {y, m, d} for a real calendar date "YYYY-MM-DD", else null. */
export function parseDate(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text));
  if (!match) return null;
  const [y, m, d] = match.slice(1).map(Number);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return { y, m, d };
}

export function formatDate({ y, m, d }) {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function daysInMonth(y, m) {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function dayNumber({ y, m, d }) {
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

function compare(a, b) {
  return dayNumber(a) - dayNumber(b);
}

export function addDays(date, n) {
  const t = new Date((dayNumber(date) + n) * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** The same day n months later, or the month's last day when it is shorter. */
export function addMonths({ y, m, d }, n) {
  const index = y * 12 + (m - 1) + n;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { y: year, m: month, d: Math.min(d, daysInMonth(year, month)) };
}

/** Today's date in an IANA time zone at an instant (the browser's own zone when none is given). */
export function todayIn(timeZone, instant = new Date()) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return formatDate({ y: get('year'), m: get('month'), d: get('day') });
}

export function validTimeZone(timeZone) {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Clean time from `clean` to `today` (both "YYYY-MM-DD"): total days, and whole years, months and days.
 * null when a date is not a real date or the clean date is after today.
 */
export function cleanTime(clean, today) {
  const from = parseDate(clean);
  const to = parseDate(today);
  if (!from || !to || compare(to, from) < 0) return null;
  let months = (to.y - from.y) * 12 + (to.m - from.m);
  if (compare(addMonths(from, months), to) > 0) months -= 1;
  return {
    days: compare(to, from),
    years: Math.floor(months / 12),
    months: months % 12,
    totalMonths: months,
    daysAfterMonths: compare(to, addMonths(from, months)),
  };
}

/** The customary milestones, in order, with the date each falls on: {kind: "hours"|"days"|"months"|"years", n, date}. */
export function milestones(clean, untilYears = 60) {
  const from = parseDate(clean);
  if (!from) return [];
  const list = [{ kind: 'hours', n: 24, date: addDays(from, 1) }];
  for (const n of [30, 60, 90]) list.push({ kind: 'days', n, date: addDays(from, n) });
  for (const n of [6, 9]) list.push({ kind: 'months', n, date: addMonths(from, n) });
  list.push({ kind: 'years', n: 1, date: addMonths(from, 12) });
  list.push({ kind: 'months', n: 18, date: addMonths(from, 18) });
  for (let n = 2; n <= untilYears; n++) list.push({ kind: 'years', n, date: addMonths(from, 12 * n) });
  return list.map((item) => ({ ...item, date: formatDate(item.date) }));
}

/** The last milestone reached by `today` (or null) and the next one, with the days until it. */
export function milestoneStatus(clean, today) {
  const to = parseDate(today);
  if (!to || !cleanTime(clean, today)) return { reached: null, next: null };
  let reached = null;
  for (const item of milestones(clean)) {
    const left = compare(parseDate(item.date), to);
    if (left > 0) return { reached, next: { ...item, daysLeft: left } };
    reached = item;
  }
  return { reached, next: null };
}
