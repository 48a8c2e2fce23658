import { describe, it, expect } from 'vitest';
import * as $ from '../builtins.js';
import { mulberry32 as rng } from '../../test/support/prng.js';
import { throwsFlow } from './test-support/flow-error.js';

describe('datetime', () => {
  it.each([
    ['2024-05-02T10:11:12Z', '2024-05-02T10:11:12Z'],
    ['2024-05-02T10:11:12+0000', '2024-05-02T10:11:12Z'], // X-Cart
    ['2024-05-02T10:11:12+00:00', '2024-05-02T10:11:12Z'],
    ['2024-05-02T10:11:12', '2024-05-02T10:11:12Z'],
    ['2024-05-02 10:11:12', '2024-05-02T10:11:12Z'],
    ['2024-05-02T06:11:12-0400', '2024-05-02T10:11:12Z'],
    ['2024-05-02T06:11:12-04:00', '2024-05-02T10:11:12Z'],
    ['2024-05-02T15:41:12+05:30', '2024-05-02T10:11:12Z'],
    ['2024-05-02T10:11:12.987Z', '2024-05-02T10:11:12Z'],
    ['2024-05-02T10:11Z', '2024-05-02T10:11:00Z'],
    ['2024-05-02T10:11:12 +0000', '2024-05-02T10:11:12Z'],
    ['2024-05-02', '2024-05-02T00:00:00Z'],
    ['2024-12-31T23:30:00-01:00', '2025-01-01T00:30:00Z'],
    ['2024-03-01T00:30:00+01:00', '2024-02-29T23:30:00Z'],
    [' 2024-05-02T10:11:12Z ', '2024-05-02T10:11:12Z'],
    [1714644672, '2024-05-02T10:11:12Z'],
    [1714644672.9, '2024-05-02T10:11:12Z'],
    ['1714644672', '2024-05-02T10:11:12Z'],
    [0, '1970-01-01T00:00:00Z'],
    [-1, '1969-12-31T23:59:59Z'],
  ] as const)('datetime(%j) = %s', (x, want) => {
    expect($.datetime(x)).toBe(want);
  });

  it.each([
    ['2024-02-30T10:00:00Z'],
    ['2023-02-29T10:00:00Z'],
    ['2024-05-02T24:00:00Z'],
    ['2024-05-02T10:60:00Z'],
    ['2024-05-02T10:11:12+2500'],
    ['2024-13-01T00:00:00Z'],
    ['2024-5-2T10:11:12Z'],
    ['2024-05-02T10:11:12ZZ'],
    ['2024-05-02X10:11:12'],
    ['yesterday'],
    [''],
  ])('datetime(%j) throws', (x) => {
    throwsFlow(() => $.datetime(x), `cannot parse '${x}' as a datetime`);
  });

  it('datetime null and Date', () => {
    expect($.datetime(null)).toBeNull();
    expect($.datetime(new Date(Date.UTC(2024, 4, 2, 10, 11, 12, 500)))).toBe('2024-05-02T10:11:12Z');
  });
});

describe('dates and time zones', () => {
  it.each([
    ['2024-05-02T10:11:12Z', 'UTC', '2024-05-02'],
    ['2024-05-02T02:11:12Z', 'America/New_York', '2024-05-01'],
    ['2024-05-02T04:00:00Z', 'America/New_York', '2024-05-02'], // 00:00 EDT
    ['2024-05-02T03:59:59Z', 'America/New_York', '2024-05-01'],
    ['2024-01-02T04:59:59Z', 'America/New_York', '2024-01-01'], // EST: -05:00
    ['2024-05-02T22:30:00Z', 'Europe/Berlin', '2024-05-03'],
    ['2024-05-02T18:30:00Z', 'Asia/Kolkata', '2024-05-03'],
    ['2024-05-02T10:11:12+0000', 'Australia/Sydney', '2024-05-02'],
    ['2024-05-02', 'America/New_York', '2024-05-02'],
    [1714644672, 'UTC', '2024-05-02'],
  ] as const)('date(%j, %s) = %s', (x, tz, want) => {
    expect($.date(x, tz)).toBe(want);
  });

  it('date validation, defaults and nulls', () => {
    expect($.date('2024-05-02T23:00:00Z')).toBe('2024-05-02');
    expect($.date('2024-02-29')).toBe('2024-02-29');
    throwsFlow(() => $.date('2023-02-29'), "cannot parse '2023-02-29' as a date");
    throwsFlow(() => $.date('02/05/2024'), "cannot parse '02/05/2024' as a date");
    throwsFlow(() => $.date('2024-05-02T10:00:00Z', 'Mars/Olympus'), "unknown time zone 'Mars/Olympus'");
    expect($.date(null)).toBeNull();
    expect($.date('2024-05-02', null)).toBeNull();
  });

  it.each([
    // America/New_York, spring forward 2024-03-10 02:00 EST -> 03:00 EDT (07:00Z)
    ['2024-03-10T06:59:59Z', 'America/New_York', '2024-03-10T01:59:59-05:00'],
    ['2024-03-10T07:00:00Z', 'America/New_York', '2024-03-10T03:00:00-04:00'],
    // fall back 2024-11-03 02:00 EDT -> 01:00 EST (06:00Z)
    ['2024-11-03T05:59:59Z', 'America/New_York', '2024-11-03T01:59:59-04:00'],
    ['2024-11-03T06:00:00Z', 'America/New_York', '2024-11-03T01:00:00-05:00'],
    ['2024-05-02T10:11:12+0000', 'America/New_York', '2024-05-02T06:11:12-04:00'],
    ['2024-05-02T10:11:12Z', 'UTC', '2024-05-02T10:11:12+00:00'],
    ['2024-05-02T10:11:12Z', 'Asia/Kathmandu', '2024-05-02T15:56:12+05:45'],
    ['2024-03-31T00:59:59Z', 'Europe/London', '2024-03-31T00:59:59+00:00'],
    ['2024-03-31T01:00:00Z', 'Europe/London', '2024-03-31T02:00:00+01:00'],
    ['2024-10-06T16:00:00Z', 'Australia/Sydney', '2024-10-07T03:00:00+11:00'],
    ['1990-07-01T12:00:00Z', 'America/Chicago', '1990-07-01T07:00:00-05:00'],
    ['2038-07-01T12:00:00Z', 'America/Chicago', '2038-07-01T07:00:00-05:00'],
  ] as const)('to_zone(%s, %s) = %s', (dt, tz, want) => {
    expect($.to_zone(dt, tz)).toBe(want);
  });

  it('to_zone agrees with Intl every 20 minutes across 2024 in New York', () => {
    const f = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    });
    const start = Date.UTC(2024, 0, 1) / 1000;
    for (let t = start; t < start + 366 * 86400; t += 1200) {
      const p = f.format(t * 1000); // MM/DD/YYYY, HH:mm:ss
      const want = `${p.slice(6, 10)}-${p.slice(0, 2)}-${p.slice(3, 5)}T${p.slice(12, 20)}`;
      expect($.to_zone(t, 'America/New_York')!.slice(0, 19)).toBe(want);
    }
  });

  it.each([
    ['31/12/2024', 'dd/MM/yyyy', '2024-12-31'],
    ['05/02/2024', 'MM/dd/yyyy', '2024-05-02'],
    ['5/2/2024', 'MM/dd/yyyy', '2024-05-02'],
    ['20240502', 'yyyyMMdd', '2024-05-02'],
    ['2024-05-02', 'yyyy-MM-dd', '2024-05-02'],
    ['29.02.2024', 'dd.MM.yyyy', '2024-02-29'],
    [' 02.05.2024 ', 'dd.MM.yyyy', '2024-05-02'],
    ['2024-05-02 10:11', 'yyyy-MM-dd HH:mm', '2024-05-02'],
  ] as const)('parse_date(%j, %j) = %s', (s, fmt, want) => {
    expect($.parse_date(s, fmt)).toBe(want);
  });

  it.each([
    ['31/02/2024', 'dd/MM/yyyy'],
    ['29/02/2023', 'dd/MM/yyyy'],
    ['00/01/2024', 'dd/MM/yyyy'],
    ['01/13/2024', 'dd/MM/yyyy'],
    ['2024-05-02', 'dd/MM/yyyy'],
    ['02/05/24', 'dd/MM/yyyy'],
    ['02/05/2024x', 'dd/MM/yyyy'],
    ['', 'dd/MM/yyyy'],
  ])('parse_date(%j, %j) throws', (s, fmt) => {
    throwsFlow(() => $.parse_date(s, fmt), `cannot parse '${s}' as a date with format '${fmt}'`);
  });

  it('parse_date rejects unsupported formats', () => {
    throwsFlow(() => $.parse_date('2/5/24', 'd/M/yy'), "unsupported date format 'd/M/yy': use the tokens yyyy MM dd HH mm ss");
    throwsFlow(() => $.parse_date('10:11', 'HH:mm'), "date format 'HH:mm' must contain yyyy, MM and dd");
    expect($.parse_date(null, 'dd/MM/yyyy')).toBeNull();
    expect($.parse_date('01/01/2024', null)).toBeNull();
  });

  it.each([
    ['05/02/2024 06:11:12', 'MM/dd/yyyy HH:mm:ss', 'America/New_York', '2024-05-02T10:11:12Z'],
    ['2024-05-02 10:11:12', 'yyyy-MM-dd HH:mm:ss', 'UTC', '2024-05-02T10:11:12Z'],
    ['2024-05-02T10:11', 'yyyy-MM-ddTHH:mm', 'UTC', '2024-05-02T10:11:00Z'],
    ['2024-05-02', 'yyyy-MM-dd', 'Europe/Berlin', '2024-05-01T22:00:00Z'],
    // DST gap: 02:30 does not exist on 2024-03-10 in New York -> 03:30 EDT
    ['2024-03-10 02:30', 'yyyy-MM-dd HH:mm', 'America/New_York', '2024-03-10T07:30:00Z'],
    ['2024-03-10 01:59', 'yyyy-MM-dd HH:mm', 'America/New_York', '2024-03-10T06:59:00Z'],
    ['2024-03-10 03:00', 'yyyy-MM-dd HH:mm', 'America/New_York', '2024-03-10T07:00:00Z'],
    // DST fold: 01:30 happens twice on 2024-11-03 -> the first (EDT)
    ['2024-11-03 01:30', 'yyyy-MM-dd HH:mm', 'America/New_York', '2024-11-03T05:30:00Z'],
    ['2024-11-03 02:00', 'yyyy-MM-dd HH:mm', 'America/New_York', '2024-11-03T07:00:00Z'],
  ] as const)('parse_datetime(%j, %j, %s) = %s', (s, fmt, tz, want) => {
    expect($.parse_datetime(s, fmt, tz)).toBe(want);
  });

  it('parse_datetime errors', () => {
    throwsFlow(() => $.parse_datetime('2024-05-02 25:00', 'yyyy-MM-dd HH:mm'), "cannot parse '2024-05-02 25:00' as a datetime with format 'yyyy-MM-dd HH:mm'");
    throwsFlow(() => $.parse_datetime('2024-05-02 10:00', 'yyyy-MM-dd HH:mm', 'Nowhere/City'), "unknown time zone 'Nowhere/City'");
  });

  it('format_date and format_datetime', () => {
    expect($.format_date('2024-05-02', 'MM/dd/yyyy')).toBe('05/02/2024');
    expect($.format_date('2024-05-02', 'yyyyMMdd')).toBe('20240502');
    expect($.format_date('2024-05-02T23:59:59Z', 'dd.MM.yyyy')).toBe('02.05.2024');
    expect($.format_date('2024-05-02', 'yyyy-MM-dd HH:mm')).toBe('2024-05-02 00:00');
    expect($.format_datetime('2024-05-02T10:11:12Z', 'MM/dd/yyyy HH:mm:ss')).toBe('05/02/2024 10:11:12');
    expect($.format_datetime('2024-05-02T02:11:12+0000', 'MM/dd/yyyy HH:mm', 'America/New_York')).toBe('05/01/2024 22:11');
    expect($.format_datetime('2024-03-10T07:00:00Z', 'HH:mm', 'America/New_York')).toBe('03:00');
    expect($.format_datetime('2024-03-10T06:59:00Z', 'HH:mm', 'America/New_York')).toBe('01:59');
    expect($.format_datetime('2024-05-02T10:11:12Z', 'HHmmss')).toBe('101112');
    expect($.format_date(null, 'yyyy')).toBeNull();
    expect($.format_datetime('2024-05-02T10:11:12Z', null)).toBeNull();
    throwsFlow(() => $.format_date('2024-02-30', 'yyyy'), "cannot parse '2024-02-30' as a date");
  });

  it('add_days and days_between', () => {
    expect($.add_days('2024-02-28', 1)).toBe('2024-02-29');
    expect($.add_days('2024-02-28', 2)).toBe('2024-03-01');
    expect($.add_days('2024-12-31', 1)).toBe('2025-01-01');
    expect($.add_days('2024-03-01', -1)).toBe('2024-02-29');
    expect($.add_days('2024-01-01', 366)).toBe('2025-01-01');
    expect($.add_days('2024-03-09T12:00:00Z', 1)).toBe('2024-03-10T12:00:00Z');
    expect($.add_days('2024-05-02', null)).toBeNull();
    throwsFlow(() => $.add_days('2024-05-02', 1.5), 'add_days: day count must be an int, got 1.5');
    expect($.days_between('2024-01-01', '2024-01-31')).toBe(30);
    expect($.days_between('2024-03-01', '2024-02-01')).toBe(-29);
    expect($.days_between('2024-01-01', '2025-01-01')).toBe(366);
    expect($.days_between('2024-03-09', '2024-03-11')).toBe(2);
    expect($.days_between('2024-05-01T23:59:59Z', '2024-05-02T00:00:01Z')).toBe(1);
    expect($.days_between(null, '2024-01-01')).toBeNull();
  });

  it('null propagation in time-zone functions', () => {
    expect($.to_zone(null, 'UTC')).toBeNull();
    expect($.to_zone('2024-05-02T10:11:12Z', null)).toBeNull();
    expect($.parse_datetime('2024-05-02', 'yyyy-MM-dd', null)).toBeNull();
  });
});
