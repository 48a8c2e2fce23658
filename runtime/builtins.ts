/**
 * Builtins: the pure helper functions generated flow modules call as `$.<name>(...)`. This file is
 * the import surface (`import * as $ from "./runtime/builtins.js"`); the functions live in
 * `builtins/<concern>.ts`, one file per concern, each with its tests beside it.
 *
 * `flowc build` copies this file and builtins/*.ts verbatim into every output folder, next to
 * `contract.ts` and `text/codepage.ts` (RUNTIME_FILES in compiler/emitter/build.ts), so they import
 * nothing but each other and those two, and use only what Node 20 provides (Intl for time zones).
 * Everything here is pure, synchronous and deterministic (no clock, no locale, no environment); the
 * one setting is the Sage Pro install's text rules (code page, unmappable and control rules), which
 * `truncate` applies and which flowd sets once at start (text/codepage.ts).
 * Hot paths avoid allocations: no regex compilation or Intl object creation per call.
 *
 * Value representation (see BUILTINS.md):
 *   string   -> JS string
 *   int      -> JS integer number
 *   decimal  -> JS number, kept at most 6 decimal places by every d* operation (the nearest double
 *               to a decimal with <= 6 places), so money never drifts
 *   bool     -> JS boolean
 *   date     -> string `YYYY-MM-DD`
 *   datetime -> string `YYYY-MM-DDTHH:mm:ssZ` (UTC, no fraction)
 *   list     -> array, object -> plain object
 *   null     -> null (undefined is accepted wherever null is)
 *
 * Null propagation: unless documented otherwise, a function returns null when a required input
 * is null or undefined.
 */
export * from './builtins/money.js';
export * from './builtins/conversions.js';
export * from './builtins/text.js';
export * from './builtins/collections.js';
export * from './builtins/dates.js';
export * from './builtins/addresses.js';
export * from './builtins/control.js';
export * from './builtins/lookups.js';
export * from './builtins/compare.js';
