/**
 * The diagnostic catalog: the ONLY place message text lives. Keys spell the message; {0}, {1} are
 * arguments. Codes never change once shipped (scripts and editors key on them).
 *   1xxx syntax · 2xxx names · 3xxx types · 4xxx flow rules (policies, idempotency, triggers)
 *   5xxx schemas, catalogs and lookup files · 6xxx warnings · 9xxx related information
 */
import type { Category } from './diagnostic.js';

export interface DiagnosticMessage { readonly code: number; readonly category: Category; readonly template: string }
function msg(code: number, category: Category, template: string): DiagnosticMessage { return { code, category, template }; }

export const Diagnostics = {
  // 1xxx syntax
  Unexpected_0_expected_1: msg(1001, 'error', 'Unexpected {0}; expected {1}.'),
  Unterminated_string_literal: msg(1002, 'error', 'Unterminated string literal; expected a closing \'"\' on the same line.'),
  Unexpected_character_0: msg(1003, 'error', "Unexpected character '{0}'; expected a name, a literal, an operator or a comment."),
  Nested_too_deeply_0_1: msg(1005, 'error', "This expression is nested too deeply: more than {0} levels of {1}; split it into smaller 'let' steps."),
  Invalid_escape_0: msg(1006, 'error', "Invalid escape '{0}' in a string; expected a Unicode code point from 0 to 10FFFF that is not a surrogate (D800 to DFFF)."),
  Flow_0_has_no_trigger: msg(1010, 'error', "Flow '{0}' has no trigger; expected 'on xcart.<event>', 'on every <interval> poll ...' or 'on schedule ...'."),
  Flow_0_has_more_than_one_trigger: msg(1011, 'error', "Flow '{0}' has more than one trigger; a flow has exactly one."),
  Duration_0_is_zero: msg(1012, 'error', "Duration '{0}' must be greater than zero."),

  // 2xxx names
  Unknown_name_0: msg(2001, 'error', "Unknown name '{0}'."),
  Unknown_entity_0_in_1: msg(2002, 'error', "Unknown entity '{0}' in {1}."),
  Entity_0_is_not_polled_1: msg(2002, 'error', "Unknown entity '{0}' in a poll trigger (flowd polls {1})."),
  Unknown_operation_0_on_1: msg(2003, 'error', "Unknown operation '{0}' on {1}."),
  Unknown_function_0: msg(2004, 'error', "Unknown function '{0}'."),
  Unknown_system_0: msg(2005, 'error', "Unknown system '{0}'; expected 'xcart' or 'sagepro'."),
  _0_is_declared_more_than_once: msg(2006, 'error', "'{0}' is declared more than once in this flow."),
  Field_0_is_assigned_more_than_once: msg(2007, 'error', "Field '{0}' is assigned more than once."),
  Unknown_event_0: msg(2008, 'error', "Unknown X-Cart event '{0}'; expected one of {1}."),
  Unknown_error_class_0: msg(2009, 'error', "Unknown error class '{0}'; expected one of {1}."),
  Unknown_parameter_0_of_1: msg(2010, 'error', "Unknown parameter '{0}' of {1}."),
  Function_0_takes_no_named_argument_1: msg(2010, 'error', "Unknown parameter '{1}' of function '{0}' (its arguments are positional)."),
  Unknown_type_0: msg(2011, 'error', "Unknown type '{0}'; expected string, int, decimal, bool, date, datetime or an entity such as xcart.Order."),
  Unknown_policy_action_0: msg(2012, 'error', "Unknown policy action '{0}'; expected dead_letter, skip or fail."),
  Unknown_backoff_0: msg(2013, 'error', "Unknown backoff '{0}'; expected exponential, linear or fixed."),
  Flow_0_is_declared_more_than_once: msg(2014, 'error', "Flow '{0}' is declared more than once."),
  Sage_Pro_has_no_events: msg(2016, 'error', "Sage Pro has no events; expected a poll such as 'on every 5m poll sagepro.{0} changed'."),
  Unknown_key_field_0_of_1: msg(2015, 'error', "Entity '{1}' has no field '{0}' to use as a change-detection key."),

  // 3xxx types
  Type_0_has_no_field_1: msg(3001, 'error', "Type '{0}' has no field '{1}'."),
  Cannot_assign_0_to_field_1_of_type_2: msg(3002, 'error', "Cannot assign a value of type '{0}' to field '{1}' of type '{2}'."),
  Required_field_0_of_1_is_never_assigned: msg(3003, 'error', "Required field '{0}' of '{1}' is never assigned."),
  Nullable_0_into_required_field_1: msg(3004, 'error', "Field '{1}' is required, but the value may be null ('{0}'); give a default with '??' or check it first."),
  Value_may_not_fit_column_0_1_width_2: msg(3005, 'error', "Field '{0}' is stored in {1} of width {2}, but the value may be up to {3} characters long; truncate it (left, truncate) or look it up."),
  Match_misses_codes_0: msg(3006, 'error', "This match on '{0}' does not handle the known codes {1} and has no 'else'."),
  Table_0_key_type_1_given_2: msg(3007, 'error', "Table '{0}' has keys of type '{1}', but the key given has type '{2}'."),
  Operator_0_cannot_apply_to_1_and_2: msg(3008, 'error', "Operator '{0}' cannot be applied to '{1}' and '{2}'."),
  // FLOW3009: a value of the wrong kind where something specific is expected (one entry per place).
  Condition_must_be_bool_found_0: msg(3009, 'error', "Expected a condition (bool), found '{0}'."),
  Reason_must_be_string_found_0: msg(3009, 'error', "Expected a reason text, found '{0}'."),
  Warning_message_must_be_string_found_0: msg(3009, 'error', "Expected a warning message (a string), found '{0}'."),
  Index_must_be_int_found_0: msg(3009, 'error', "Expected an int index, found '{0}'."),
  Each_source_must_be_list_found_0: msg(3009, 'error', "Expected a list to iterate, found '{0}'."),
  List_item_0_unlike_others_1: msg(3009, 'error', "Expected '{0}' like the other items, found '{1}'."),
  Match_arm_0_unlike_others_1: msg(3009, 'error', "Expected '{0}' like the other arms, found '{1}'."),
  Else_branch_0_unlike_then_1: msg(3009, 'error', "Expected a value of type '{0}' like the 'then' branch, found '{1}'."),
  Pattern_must_be_literal_found_0: msg(3009, 'error', "Expected a literal pattern (a string, number, true, false or null), found '{0}'."),
  Pattern_of_type_0_found_1: msg(3009, 'error', "Expected a pattern of type '{0}', found '{1}'."),
  Function_outside_call: msg(3009, 'error', 'Expected a value, found a function (functions are only arguments of count, sum, filter, ...).'),
  Function_argument_expected_found_0: msg(3009, 'error', "Expected a function such as x => x.value, found '{0}'."),
  Function_body_must_be_number_found_0: msg(3009, 'error', "Expected a number, found '{0}'."),
  Callee_must_be_function_name_found_0: msg(3009, 'error', "Expected a function name, found '{0}'."),
  Argument_0_of_1_expects_2_found_3: msg(3009, 'error', "Expected {2} as argument {0} of '{1}', found '{3}'."),
  Parameter_0_of_1_expects_2_found_3: msg(3009, 'error', "Expected '{2}' for parameter '{0}' of {1}, found '{3}'."),
  Operation_call_0_in_expression: msg(3009, 'error', 'Expected a pure value (operations are called only by fetch, lookup and write steps), found a call of {0}.'),
  Table_0_used_as_value: msg(3009, 'error', "Expected a value, found table '{0}' (look a key up with {0}[key])."),
  Table_key_must_be_literal_found_0: msg(3009, 'error', "Expected a literal key, found '{0}'."),
  Table_value_must_be_literal_found_0: msg(3009, 'error', "Expected a literal value, found '{0}'."),
  Table_value_of_type_0_found_1: msg(3009, 'error', "Expected a value of type '{0}', found '{1}'."),
  Table_default_of_type_0_found_1: msg(3009, 'error', "Expected a default of type '{0}', found '{1}'."),
  Map_type_must_be_entity_found_0: msg(3009, 'error', "Expected an entity type such as sagepro.SalesOrder, found '{0}'."),
  _0_may_be_null_use_optional_access: msg(3010, 'error', "'{0}' may be null; use '?.' to read '{1}' from it, or give a default with '??'."),
  Function_0_expects_1_arguments_found_2: msg(3011, 'error', "Function '{0}' expects {1} argument(s), found {2}."),
  Operation_0_is_a_1_use_2: msg(3012, 'error', "Operation '{0}' is a {1} operation; call it from '{2}'."),
  Missing_argument_0_of_1: msg(3013, 'error', "Missing argument '{0}' of {1}."),
  Declared_type_0_does_not_match_1: msg(3014, 'error', "The declared type '{0}' does not match the value's type '{1}'."),
  Cannot_index_0: msg(3015, 'error', "A value of type '{0}' cannot be indexed; expected a list or a table."),
  Invalid_date_format_0: msg(3016, 'error', "'{0}' is not a valid date format; expected tokens yyyy, MM, dd, HH, mm, ss and separators."),
  Operator_0_cannot_apply_to_1: msg(3017, 'error', "Operator '{0}' cannot be applied to '{1}'."),
  Not_an_operation_call_found_0: msg(3018, 'error', "Expected a call of an operation such as xcart.orders.get(...) or sagepro.sales_orders.create(...), found '{0}'."),
  Not_an_operation_call_system_0_alone: msg(3018, 'error', "Expected a call of an operation such as xcart.orders.get(...) or sagepro.sales_orders.create(...), found '{0}' on its own."),
  Not_an_operation_call_0_without_arguments: msg(3018, 'error', "Expected a call of an operation such as xcart.orders.get(...) or sagepro.sales_orders.create(...), found '{0}' without arguments."),
  Field_0_is_computed: msg(3019, 'error', "Field '{0}' of '{1}' is computed or maintained by Sage Pro ({2}) and cannot be written."),
  Unknown_match_code_0: msg(3020, 'warning', "'{0}' is not a known code of '{1}' (known: {2})."),
  Cannot_infer_type_of_0: msg(3021, 'error', "Cannot infer the type of '{0}'; declare it, e.g. 'let {0}: string = ...'."),

  // 4xxx flow rules
  Retried_non_idempotent_write_0_without_key: msg(4001, 'error', "Write '{0}' is not idempotent and is retried on transient errors, but the flow has no idempotency key; add 'idempotency <key>' or do not retry it."),
  Flow_0_writes_nothing: msg(4002, 'warning', "Flow '{0}' writes nothing."),
  Retry_count_0_out_of_range: msg(4003, 'error', 'Retry count {0} is out of range; expected 1 to 100.'),
  Backoff_range_0_1_inverted: msg(4004, 'error', "Backoff starts at {0} but its maximum is {1}; the maximum must not be smaller."),
  Step_0_used_before_declared: msg(4005, 'error', "'{0}' is used before the step that declares it."),
  Idempotency_key_must_be_string: msg(4006, 'error', "The idempotency key must be a string or an int, found '{0}'."),
  Retry_budget_of_0_is_1: msg(4008, 'warning', "Write '{0}' stops retrying transient errors after {1} in total; an outage of either system longer than that dead-letters its jobs. Give it a budget of at least 10m, e.g. 'retry for 24h backoff exponential 2s..10m'."),
  Write_target_system_0_trigger_loop: msg(4007, 'warning', "This flow is triggered by {0} and writes back to {0}; make sure the write cannot trigger the flow again."),

  // 5xxx schemas, catalogs, lookup files
  Schema_0_is_invalid_1: msg(5001, 'error', "Entity schema '{0}' is invalid: {1}."),
  Catalog_0_is_invalid_1: msg(5002, 'error', "Operation catalog '{0}' is invalid: {1}."),
  Lookup_file_0_not_found: msg(5003, 'error', "Lookup table file '{0}' was not found in {1}."),
  Lookup_file_0_is_invalid_1: msg(5004, 'error', "Lookup table file '{0}' is invalid: {1}."),
  Lookup_file_0_key_1_is_not_an_int: msg(5004, 'error', "Lookup table file '{0}' is invalid: key '{1}' is not an int."),
  Lookup_file_0_value_1_not_2: msg(5005, 'error', "Lookup table file '{0}': the value for key '{1}' is not a {2}."),

  // 6xxx warnings
  Lookup_0_is_never_used: msg(6001, 'warning', "Lookup '{0}' is never used."),
  Fetch_0_is_never_used: msg(6002, 'warning', "Fetch '{0}' is never used."),
  Table_0_is_never_used: msg(6003, 'warning', "Table '{0}' is never used."),
  Let_0_is_never_used: msg(6004, 'warning', "'{0}' is never used."),
  Map_0_is_never_written: msg(6005, 'warning', "Map '{0}' is never written."),
  File_defines_no_flow: msg(6007, 'warning', "This file defines no flow; expected 'flow <Name>' followed by a trigger and steps."),
  Duplicate_match_pattern_0: msg(6006, 'warning', "This pattern can never match: an earlier arm handles {0}."),

  // 9xxx related information
  _0_was_first_assigned_here: msg(9001, 'message', "'{0}' was first assigned here."),
  _0_is_declared_here: msg(9002, 'message', "'{0}' is declared here."),
  Too_many_diagnostics_0_more: msg(9003, 'message', 'Too many diagnostics; {0} more not shown.'),
  _0_was_first_declared_here: msg(9004, 'message', "'{0}' was first declared here."),
  The_first_trigger_is_here: msg(9005, 'message', 'The first trigger is here.'),
  The_key_type_of_0_is_declared_here: msg(9006, 'message', "The key type of '{0}' is declared here."),
  The_problem_is_here: msg(9007, 'message', 'The problem is here.'),
} as const;

export type DiagnosticKey = keyof typeof Diagnostics;

/** A hint's text: advice shown on its own line under a diagnostic (no code; `hintText` fills it in). */
export interface HintMessage { readonly hint: string }
function hint(text: string): HintMessage { return { hint: text }; }

/** The hints the checker gives (besides "Did you mean ...?", diagnostics/did-you-mean.ts). */
export const Hints = {
  Operation_may_return_null_declare_0: hint("The operation may return null; declare '{0}?'."),
  Value_may_be_null_declare_0: hint("The value may be null; declare '{0}?' or give a default with '??'."),
  Retry_budget_of_retry_n: hint('The budget of retry N is the sum of its capped delays; retry for <duration> states it directly.'),
  Add_idempotency_key: hint("Add e.g. 'idempotency \"payment-\" + order.id keep 90d', or 'on transient dead_letter' on this write."),
  Truncate_to_width_0: hint('Use truncate(value, {0}) to cut it, or a lookup table whose values fit.'),
  Add_match_arms: hint("Add arms for them, or 'else => ...' (stores can also define their own codes)."),
  Convert_with_0: hint('Convert it with {0}(...).'),
  Convert_to_date: hint("Convert it with date(...) (a datetime's calendar date in a zone) or parse_date(text, \"MM/dd/yyyy\")."),
} as const;
