/**
 * connect.yaml's Sage Pro install keys (snake_case, as a site writes them under
 * `connections.sagepro`, and as the sandbox profiles export them in `siteConfig`) → connector options.
 * flowd itself goes through runtime/config (validated, every error naming its key); this is for
 * code that holds the raw keys, such as the contract tests over the sandbox profiles.
 */
import { numberingFromRaw, type RawNumbering } from './numbering.js';
import type { SageProConnectorOptions } from './connector.js';

export interface SiteKeys {
  company?: string;
  default_location?: string;
  external_ref_column?: string;
  tracking_column?: string;
  numbering?: Partial<Record<'sales_order' | 'ar_session', RawNumbering>>;
  modules?: Record<string, string>;
  tables?: Record<string, string>;
  attach?: Record<string, string>;
}

export function optionsFromSite(site: SiteKeys): Partial<SageProConnectorOptions> {
  return {
    ...(site.company !== undefined ? { company: site.company } : {}),
    ...(site.default_location !== undefined ? { defaultLocation: site.default_location } : {}),
    ...(site.external_ref_column !== undefined ? { externalRefColumn: site.external_ref_column } : {}),
    ...(site.tracking_column !== undefined ? { trackingColumn: site.tracking_column } : {}),
    numbering: numberingFromRaw(site.numbering),
    ...(site.modules ? { modules: site.modules } : {}),
    ...(site.tables ? { tables: site.tables } : {}),
    ...(site.attach ? { attach: site.attach } : {}),
  };
}
