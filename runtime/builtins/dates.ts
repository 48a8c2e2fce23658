/**
 * Dates, datetimes and time zones: `datetime`, `date`, `parse_date`, `parse_datetime`,
 * `format_date`, `format_datetime`, `add_days`, `days_between`, `to_zone`. Dates are `YYYY-MM-DD`,
 * datetimes canonical UTC `YYYY-MM-DDTHH:mm:ssZ`; zones are IANA names read through Intl
 * (BUILTINS.md, "Dates and times").
 */
import { FlowError } from '../contract.js';
import { describe, type Opt } from './internal.js';

const P2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + String(i));

function daysFromCivil(y: number, m: number, d: number): number {
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// results of civil(): module-level to avoid allocating
let cY = 0, cM = 0, cD = 0;
function civil(z: number): void {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  cD = doy - Math.floor((153 * mp + 2) / 5) + 1;
  cM = mp < 10 ? mp + 3 : mp - 9;
  cY = yoe + era * 400 + (cM <= 2 ? 1 : 0);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function year4(y: number): string {
  if (y >= 1000 && y <= 9999) return String(y);
  if (y >= 0 && y < 1000) return (y < 10 ? '000' : y < 100 ? '00' : '0') + String(y);
  return String(y);
}

function fmtDate(days: number): string {
  civil(days);
  return year4(cY) + '-' + P2[cM] + '-' + P2[cD];
}

/** Local/UTC seconds since the epoch -> `YYYY-MM-DDTHH:mm:ss` (no zone suffix). */
function fmtWall(sec: number): string {
  const days = Math.floor(sec / 86400);
  const rem = sec - days * 86400;
  civil(days);
  const h = Math.floor(rem / 3600);
  const mi = Math.floor((rem - h * 3600) / 60);
  const s = rem - h * 3600 - mi * 60;
  return year4(cY) + '-' + P2[cM] + '-' + P2[cD] + 'T' + P2[h] + ':' + P2[mi] + ':' + P2[s];
}

function fmtOffset(off: number): string {
  const sign = off < 0 ? '-' : '+';
  const a = Math.floor((off < 0 ? -off : off) / 60);
  return sign + P2[Math.floor(a / 60)] + ':' + P2[a % 60];
}

function dig(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1000;
}
function dig2(s: string, i: number): number {
  return dig(s, i) * 10 + dig(s, i + 1);
}

/** Parses `YYYY-MM-DD` at the start of s into days since the epoch; NaN when invalid. */
function parseYmd(s: string): number {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const y = dig2(s, 0) * 100 + dig2(s, 2);
  const m = dig2(s, 5);
  const d = dig2(s, 8);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return NaN;
  return daysFromCivil(y, m, d);
}

/**
 * ISO-8601 date-time -> seconds since the epoch, NaN when invalid. Accepts `T`, `t` or a space
 * between date and time, optional seconds, an optional fraction (dropped), and an offset `Z`,
 * `+HH:MM`, `+HHMM`, `+HH` (optionally after one space) or none (UTC). A bare date is midnight UTC.
 */
function parseIsoSec(s: string): number {
  const len = s.length;
  if (len < 10) return NaN;
  const days = parseYmd(s);
  if (days !== days) return NaN;
  if (len === 10) return days * 86400;
  const t = s.charCodeAt(10);
  if (t !== 84 && t !== 116 && t !== 32) return NaN;
  if (len < 16 || s.charCodeAt(13) !== 58) return NaN;
  const h = dig2(s, 11);
  const mi = dig2(s, 14);
  if (h < 0 || h > 23 || mi < 0 || mi > 59) return NaN;
  let sec = 0;
  let i = 16;
  if (i < len && s.charCodeAt(i) === 58) {
    if (len < 19) return NaN;
    sec = dig2(s, 17);
    if (sec < 0 || sec > 59) return NaN;
    i = 19;
    const c = s.charCodeAt(i);
    if (i < len && (c === 46 || c === 44)) {
      i++;
      const from = i;
      while (i < len && dig(s, i) >= 0) i++;
      if (i === from) return NaN;
    }
  }
  if (i < len && s.charCodeAt(i) === 32) i++;
  let off = 0;
  if (i < len) {
    const c = s.charCodeAt(i);
    if (c === 90 || c === 122) {
      if (i + 1 !== len) return NaN;
    } else if (c === 43 || c === 45) {
      const oh = dig2(s, i + 1);
      if (oh < 0 || oh > 23) return NaN;
      let om = 0;
      let j = i + 3;
      if (j < len && s.charCodeAt(j) === 58) j++;
      if (j < len) {
        om = dig2(s, j);
        if (om < 0 || om > 59) return NaN;
        j += 2;
      }
      if (j !== len) return NaN;
      off = (oh * 60 + om) * 60;
      if (c === 45) off = -off;
    } else return NaN;
  }
  return days * 86400 + h * 3600 + mi * 60 + sec - off;
}

function isAllDigits(s: string): boolean {
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i >= s.length) return false;
  for (; i < s.length; i++) if (dig(s, i) < 0) return false;
  return true;
}

/** Any datetime input -> seconds since the epoch (throws FlowError). */
function toSec(x: unknown, what: string): number {
  if (typeof x === 'string') {
    let s = x;
    if (s.length > 0 && (s.charCodeAt(0) <= 32 || s.charCodeAt(s.length - 1) <= 32)) s = s.trim();
    let v = parseIsoSec(s);
    if (v !== v && isAllDigits(s)) v = Number(s);
    if (v === v && Number.isFinite(v)) return v;
  } else if (typeof x === 'number') {
    if (Number.isFinite(x)) return Math.floor(x);
  } else if (x instanceof Date) {
    const ms = x.getTime();
    if (ms === ms) return Math.floor(ms / 1000);
  }
  throw new FlowError(`cannot parse '${describe(x)}' as a ${what}`, undefined);
}

/**
 * Parses a datetime: ISO-8601 with `Z`, `+0000` (X-Cart), `+00:00` or no offset (= UTC), with `T`
 * or a space; or a unix timestamp in seconds (number or digit string). Returns canonical UTC.
 */
export function datetime(x: unknown): string | null {
  if (x == null) return null;
  if (typeof x === 'string' && x.length === 20 && x.charCodeAt(19) === 90 && x.charCodeAt(10) === 84) {
    const v = parseIsoSec(x);
    if (v === v) return x; // already canonical
  }
  return fmtWall(toSec(x, 'datetime')) + 'Z';
}

// --- time zones ---

const MIN_PROBE = -30610224000; // 1000-01-01T00:00:00Z
const MAX_PROBE = 253402300799; // 9999-12-31T23:59:59Z
const dtfCache = new Map<string, Intl.DateTimeFormat>();

function dtf(zone: string): Intl.DateTimeFormat {
  let f = dtfCache.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
      });
    } catch {
      throw new FlowError(`unknown time zone '${zone}'`, undefined);
    }
    dtfCache.set(zone, f);
  }
  return f;
}

/** Offset (seconds east of UTC) of a zone at an instant, straight from Intl. */
function rawOffset(zone: string, sec: number): number {
  const t = sec < MIN_PROBE ? MIN_PROBE : sec > MAX_PROBE ? MAX_PROBE : sec;
  const s = dtf(zone).format(t * 1000); // "MM/DD/YYYY, HH:mm:ss"
  const local = daysFromCivil(dig2(s, 6) * 100 + dig2(s, 8), dig2(s, 0), dig2(s, 3)) * 86400
    + dig2(s, 12) * 3600 + dig2(s, 15) * 60 + dig2(s, 18);
  return local - t;
}

/*
 * Offsets are cached per zone in buckets of 2^25 s (~388 days): each bucket records the offset at
 * its start and every transition inside it (found by probing every 2^20 s (~12 days) and bisecting
 * to the second). Assumes no zone changes offset twice within 12 days (true of the tz database
 * since 1970). After the first call in a year, a lookup is a Map get and a short scan.
 */
const BUCKET = 33554432;
const STEP = 1048576;
interface ZoneBucket { at: number[]; off: number[] }
const zoneCache = new Map<string, Map<number, ZoneBucket>>();

function buildBucket(zone: string, b: number): ZoneBucket {
  const start = b * BUCKET;
  const end = start + BUCKET;
  const first = rawOffset(zone, start);
  const at = [start];
  const off = [first];
  let prevT = start;
  let prevO = first;
  for (let t = start + STEP; t <= end; t += STEP) {
    const o = rawOffset(zone, t);
    if (o !== prevO) {
      let lo = prevT;
      let hi = t;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (rawOffset(zone, mid) === prevO) lo = mid;
        else hi = mid;
      }
      if (hi < end) {
        at.push(hi);
        off.push(o);
      }
    }
    prevT = t;
    prevO = o;
  }
  return { at, off };
}

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'Z', 'GMT', 'Etc/GMT']);

function offsetAt(zone: string, sec: number): number {
  if (UTC_NAMES.has(zone)) return 0;
  let zc = zoneCache.get(zone);
  if (zc === undefined) {
    dtf(zone); // validates the zone name
    zc = new Map();
    zoneCache.set(zone, zc);
  }
  const b = Math.floor(sec / BUCKET);
  let e = zc.get(b);
  if (e === undefined) {
    if (zc.size > 4096) zc.clear();
    e = buildBucket(zone, b);
    zc.set(b, e);
  }
  const at = e.at;
  let i = at.length - 1;
  while (i > 0 && at[i]! > sec) i--;
  return e.off[i]!;
}

/**
 * Wall-clock seconds in a zone -> UTC seconds. A time skipped by a DST gap is read with the offset
 * before the gap (02:30 on 2024-03-10 in New York is 03:30 EDT); a time that occurs twice in a
 * fold is the first occurrence (01:30 on 2024-11-03 in New York is 01:30 EDT). Like Temporal's
 * 'compatible' disambiguation.
 */
function localToUtc(local: number, zone: string): number {
  if (UTC_NAMES.has(zone)) return local;
  const oA = offsetAt(zone, local - 86400);
  const oB = offsetAt(zone, local + 86400);
  if (oA === oB) return local - oA;
  const t1 = local - oA;
  const t2 = local - oB;
  const ok1 = t1 + offsetAt(zone, t1) === local;
  const ok2 = t2 + offsetAt(zone, t2) === local;
  if (ok1 && ok2) return t1 < t2 ? t1 : t2;
  if (ok2) return t2;
  return t1;
}

/**
 * The calendar date of a datetime in zone tz (default UTC), or a date string validated as it is
 * (a date has no zone, so tz does not change it).
 */
export function date(x: unknown, tz: Opt<string> = 'UTC'): string | null {
  if (x == null || tz == null) return null;
  if (typeof x === 'string' && x.length === 10) {
    const d = parseYmd(x);
    if (d === d) return x;
    throw new FlowError(`cannot parse '${x}' as a date`, undefined);
  }
  const sec = toSec(x, 'date');
  const local = sec + offsetAt(tz, sec);
  return fmtDate(Math.floor(local / 86400));
}

/** Date or datetime (its UTC date) -> days since the epoch. */
function toDays(x: unknown): number {
  if (typeof x === 'string' && x.length === 10) {
    const d = parseYmd(x);
    if (d === d) return d;
    throw new FlowError(`cannot parse '${x}' as a date`, undefined);
  }
  return Math.floor(toSec(x, 'date') / 86400);
}

// --- patterns: yyyy MM dd HH mm ss, everything else literal ---

const K_LIT = 0, K_Y = 1, K_MO = 2, K_D = 3, K_H = 4, K_MI = 5, K_S = 6;
interface Pattern { kinds: number[]; lits: string[]; hasDate: boolean }
const patternCache = new Map<string, Pattern>();
const TOKENS: ReadonlyArray<readonly [string, number]> = [['yyyy', K_Y], ['MM', K_MO], ['dd', K_D], ['HH', K_H], ['mm', K_MI], ['ss', K_S]];

function compilePattern(fmt: string): Pattern {
  let p = patternCache.get(fmt);
  if (p !== undefined) return p;
  const kinds: number[] = [];
  const lits: string[] = [];
  const seen = new Set<number>();
  let i = 0;
  let lit = '';
  outer: while (i < fmt.length) {
    for (const [tok, kind] of TOKENS) {
      if (fmt.startsWith(tok, i)) {
        if (lit !== '') { kinds.push(K_LIT); lits.push(lit); lit = ''; }
        kinds.push(kind);
        lits.push(tok);
        seen.add(kind);
        i += tok.length;
        continue outer;
      }
    }
    const ch = fmt[i]!;
    if ('yMdHms'.includes(ch)) {
      throw new FlowError(`unsupported date format '${fmt}': use the tokens yyyy MM dd HH mm ss`, undefined);
    }
    lit += ch;
    i++;
  }
  if (lit !== '') { kinds.push(K_LIT); lits.push(lit); }
  p = { kinds, lits, hasDate: seen.has(K_Y) && seen.has(K_MO) && seen.has(K_D) };
  if (patternCache.size > 1024) patternCache.clear();
  patternCache.set(fmt, p);
  return p;
}

let pY = 0, pMo = 0, pD = 0, pH = 0, pMi = 0, pS = 0;

/** Matches s against a pattern into pY..pS; false when it does not match or is not a valid calendar date/time. */
function matchPattern(s: string, p: Pattern): boolean {
  pY = 0; pMo = 1; pD = 1; pH = 0; pMi = 0; pS = 0;
  let i = 0;
  const n = s.length;
  for (let k = 0; k < p.kinds.length; k++) {
    const kind = p.kinds[k]!;
    if (kind === K_LIT) {
      const lit = p.lits[k]!;
      if (!s.startsWith(lit, i)) return false;
      i += lit.length;
      continue;
    }
    let v: number;
    if (kind === K_Y) {
      if (i + 4 > n) return false;
      v = dig2(s, i) * 100 + dig2(s, i + 2);
      if (v < 0) return false;
      i += 4;
    } else {
      // one or two digits
      const a = dig(s, i);
      if (a < 0) return false;
      i++;
      v = a;
      const b = i < n ? dig(s, i) : -1;
      if (b >= 0) { v = a * 10 + b; i++; }
    }
    switch (kind) {
      case K_Y: pY = v; break;
      case K_MO: pMo = v; break;
      case K_D: pD = v; break;
      case K_H: pH = v; break;
      case K_MI: pMi = v; break;
      default: pS = v;
    }
  }
  if (i !== n) return false;
  return pMo >= 1 && pMo <= 12 && pD >= 1 && pD <= daysInMonth(pY, pMo) && pH <= 23 && pMi <= 59 && pS <= 59;
}

function parseWith(s: string, fmt: string, what: string): void {
  const p = compilePattern(fmt);
  if (!p.hasDate) throw new FlowError(`date format '${fmt}' must contain yyyy, MM and dd`, undefined);
  if (!matchPattern(s.trim(), p)) throw new FlowError(`cannot parse '${s}' as a ${what} with format '${fmt}'`, undefined);
}

/** Parses a date with a pattern (`dd/MM/yyyy`); MM dd HH mm ss accept 1 or 2 digits. Throws on invalid dates. */
export function parse_date(s: Opt<string>, fmt: Opt<string>): string | null {
  if (s == null || fmt == null) return null;
  parseWith(s, fmt, 'date');
  return year4(pY) + '-' + P2[pMo] + '-' + P2[pD];
}

/** Parses a wall-clock date-time with a pattern, in zone tz (default UTC), to canonical UTC. */
export function parse_datetime(s: Opt<string>, fmt: Opt<string>, tz: Opt<string> = 'UTC'): string | null {
  if (s == null || fmt == null || tz == null) return null;
  parseWith(s, fmt, 'datetime');
  const local = daysFromCivil(pY, pMo, pD) * 86400 + pH * 3600 + pMi * 60 + pS;
  return fmtWall(localToUtc(local, tz)) + 'Z';
}

function formatWith(fmt: string, local: number): string {
  const p = compilePattern(fmt);
  const days = Math.floor(local / 86400);
  const rem = local - days * 86400;
  civil(days);
  let out = '';
  for (let k = 0; k < p.kinds.length; k++) {
    switch (p.kinds[k]) {
      case K_LIT: out += p.lits[k]; break;
      case K_Y: out += year4(cY); break;
      case K_MO: out += P2[cM]; break;
      case K_D: out += P2[cD]; break;
      case K_H: out += P2[Math.floor(rem / 3600)]; break;
      case K_MI: out += P2[Math.floor((rem % 3600) / 60)]; break;
      default: out += P2[rem % 60];
    }
  }
  return out;
}

/** Formats a date (or the UTC date of a datetime) with a pattern; HH mm ss print `00`. */
export function format_date(d: unknown, fmt: Opt<string>): string | null {
  if (d == null || fmt == null) return null;
  return formatWith(fmt, toDays(d) * 86400);
}

/** Formats a datetime as wall-clock time in zone tz (default UTC) with a pattern. */
export function format_datetime(dt: unknown, fmt: Opt<string>, tz: Opt<string> = 'UTC'): string | null {
  if (dt == null || fmt == null || tz == null) return null;
  const sec = toSec(dt, 'datetime');
  return formatWith(fmt, sec + offsetAt(tz, sec));
}

/** A date n days later (n may be negative); for a datetime, n * 24 hours later. */
export function add_days(d: unknown, n: Opt<number>): string | null {
  if (d == null || n == null) return null;
  if (!Number.isInteger(n)) throw new FlowError(`add_days: day count must be an int, got ${String(n)}`, undefined);
  if (typeof d === 'string' && d.length === 10) return fmtDate(toDays(d) + n);
  return fmtWall(toSec(d, 'datetime') + n * 86400) + 'Z';
}

/** Calendar days from a to b (b - a; negative when b is earlier). Datetimes count by their UTC date. */
export function days_between(a: unknown, b: unknown): number | null {
  if (a == null || b == null) return null;
  return toDays(b) - toDays(a);
}

/** Local wall-clock ISO string with offset in zone tz: `2024-05-02T06:11:12-04:00`. */
export function to_zone(dt: unknown, tz: Opt<string>): string | null {
  if (dt == null || tz == null) return null;
  const sec = toSec(dt, 'datetime');
  const off = offsetAt(tz, sec);
  return fmtWall(sec + off) + fmtOffset(off);
}
