// Template helpers: embedding the browser-visible flags in a page, and what Handlebars needs because its
// templates cannot call methods with arguments (`flags.variant('x')`).

import type { FlagName } from '../types.js';
import type { RequestFlags } from './request-flags.js';

const UNSAFE_IN_SCRIPT = /[<>&\u2028\u2029]/g;
const ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * The browser-visible flags (`flags.toJSON()`) as JSON that is safe inside an inline `<script>`: `<`, `>` and
 * `&` are escaped, so a payload containing `</script>` cannot end the script. Put it in `app.locals` to use it
 * from any engine.
 * @example
 * app.locals.flagsJson = flagsJson;
 * // EJS: <script>window.FLAGS = <%- flagsJson(flags) %></script>
 */
export function flagsJson(flags: RequestFlags | undefined | null): string {
  const value = flags && typeof flags.toJSON === 'function' ? flags.toJSON() : {};
  return JSON.stringify(value).replace(UNSAFE_IN_SCRIPT, (ch) => ESCAPES[ch]);
}

/**
 * Handlebars helpers for flags. Plain reads (`{{#if flags.newPricing}}`) need none; these cover a flag's
 * variant, a flag read by its exact name, and the JSON for a front end. Works with Handlebars' default
 * prototype-access rules.
 * @example
 * app.engine('hbs', engine({ helpers: handlebarsHelpers }));
 * // {{flagVariant flags "checkout-copy"}}  {{#if (flagEnabled flags "new-pricing")}}…{{/if}}
 * // <script>window.FLAGS = {{{flagsJson flags}}}</script>
 */
export const handlebarsHelpers = {
  /** the variant name for this request, `disabled` when off */
  flagVariant: (flags: RequestFlags | undefined, name: unknown): string =>
    flags && typeof name === 'string' ? flags.variant(name as FlagName).name : 'disabled',
  /** is the flag on, by its exact name */
  flagEnabled: (flags: RequestFlags | undefined, name: unknown): boolean =>
    flags !== undefined && typeof name === 'string' && flags.isEnabled(name as FlagName),
  /** script-safe JSON of the browser-visible flags; use with triple braces */
  flagsJson: (flags: RequestFlags | undefined): string => flagsJson(flags),
};
