// journal_days.js: clean time counted as people count it, in the member's own time zone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanTime, milestoneStatus, milestones, parseDate, todayIn, validTimeZone } from '../../stayhere/static/stayhere/journal_days.js';

test('the clean date itself is day 0 and the next day is day 1 (24 hours)', () => {
  assert.equal(cleanTime('2026-01-01', '2026-01-01').days, 0);
  assert.equal(cleanTime('2026-01-01', '2026-01-02').days, 1);
  assert.deepEqual(milestoneStatus('2026-01-01', '2026-01-02').reached, { kind: 'hours', n: 24, date: '2026-01-02' });
  assert.equal(milestoneStatus('2026-01-01', '2026-01-01').reached, null);
});

test('days, months and years are calendar counts', () => {
  assert.deepEqual(cleanTime('2020-03-15', '2026-05-20'), { days: 2257, years: 6, months: 2, totalMonths: 74, daysAfterMonths: 5 });
  assert.deepEqual(cleanTime('2026-01-15', '2026-02-14'), { days: 30, years: 0, months: 0, totalMonths: 0, daysAfterMonths: 30 });
  assert.equal(cleanTime('2026-01-15', '2026-02-15').totalMonths, 1);
});

test('a month from the 31st lands on the last day of a shorter month', () => {
  assert.equal(cleanTime('2026-01-31', '2026-02-27').totalMonths, 0);
  assert.equal(cleanTime('2026-01-31', '2026-02-28').totalMonths, 1);
  assert.equal(cleanTime('2026-01-31', '2026-03-30').totalMonths, 1);
  assert.equal(cleanTime('2026-01-31', '2026-03-31').totalMonths, 2);
});

test('a leap day clean date has its anniversary on 28 February, and leap days count as days', () => {
  assert.deepEqual(cleanTime('2024-02-29', '2025-02-28'), { days: 365, years: 1, months: 0, totalMonths: 12, daysAfterMonths: 0 });
  assert.equal(cleanTime('2024-02-29', '2025-02-27').years, 0);
  assert.equal(cleanTime('2024-02-29', '2028-02-29').years, 4);
  assert.equal(cleanTime('2023-03-01', '2024-03-01').days, 366);
  assert.equal(cleanTime('2024-02-28', '2024-03-01').days, 2);
  const years = milestones('2024-02-29').filter((m) => m.kind === 'years').slice(0, 4).map((m) => m.date);
  assert.deepEqual(years, ['2025-02-28', '2026-02-28', '2027-02-28', '2028-02-29']);
});

test('a count across a change to summer time is not a day short', () => {
  // New York moved its clocks forward on 8 March 2026; 00:30 on 9 March is 04:30 UTC.
  const today = todayIn('America/New_York', new Date('2026-03-09T04:30:00Z'));
  assert.equal(today, '2026-03-09');
  assert.equal(cleanTime('2026-03-01', today).days, 8);
  // ... and the autumn change (1 November 2026) does not add one.
  assert.equal(cleanTime('2026-10-31', todayIn('America/New_York', new Date('2026-11-02T04:30:00Z'))).days, 1);
});

test('today is the date in the member\'s time zone, not the server\'s or UTC', () => {
  const instant = new Date('2026-06-30T23:30:00Z');
  assert.equal(todayIn('UTC', instant), '2026-06-30');
  assert.equal(todayIn('Europe/Berlin', instant), '2026-07-01');
  assert.equal(todayIn('America/Los_Angeles', instant), '2026-06-30');
  assert.equal(todayIn('Pacific/Kiritimati', instant), '2026-07-01');
  // Samoa skipped 30 December 2011: from the 29th to the 31st is one day lived, and two calendar days.
  assert.equal(todayIn('Pacific/Apia', new Date('2011-12-30T10:30:00Z')), '2011-12-31');
});

test('milestones run 24 hours, 30, 60 and 90 days, 6 and 9 months, a year, 18 months, then every year', () => {
  const list = milestones('2026-01-10', 3).map((m) => `${m.n} ${m.kind} ${m.date}`);
  assert.deepEqual(list, [
    '24 hours 2026-01-11', '30 days 2026-02-09', '60 days 2026-03-11', '90 days 2026-04-10',
    '6 months 2026-07-10', '9 months 2026-10-10', '1 years 2027-01-10', '18 months 2027-07-10',
    '2 years 2028-01-10', '3 years 2029-01-10',
  ]);
  const status = milestoneStatus('2026-01-10', '2026-03-01');
  assert.equal(status.reached.n, 30);
  assert.deepEqual(status.next, { kind: 'days', n: 60, date: '2026-03-11', daysLeft: 10 });
});

test('a clean date after today, or not a real date, gives no count', () => {
  assert.equal(cleanTime('2026-05-02', '2026-05-01'), null);
  assert.equal(cleanTime('2026-02-30', '2026-05-01'), null);
  assert.equal(parseDate('2025-02-29'), null);
  assert.deepEqual(parseDate('2024-02-29'), { y: 2024, m: 2, d: 29 });
  assert.equal(validTimeZone('Europe/Lisbon'), true);
  assert.equal(validTimeZone('Mars/Olympus'), false);
});
