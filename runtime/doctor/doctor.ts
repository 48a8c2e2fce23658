/**
 * `flowd doctor`: a read-only preflight of a real install. For every deployed flow and every
 * operation it calls (and its trigger), says whether it will work on this install and why not.
 * Inputs: connect.yaml (through loadConfig) and the flows folder (manifest.json + requirements.json);
 * Sage Pro through the connector's own catalog reading and read operations, X-Cart over HTTP.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { SageProConnector } from '../connectors/sagepro/connector.js';
import { loadDeployedFlows, type DeployedFlow } from './deployed.js';
import { sortFindings, type Finding } from './findings.js';
import { SageProDoctor, sageProWork, type NumberingSpec, type SageProSettings } from './sagepro.js';
import { XcartDoctor, type XcartSettings } from './xcart.js';

export interface DoctorOptions {
  readonly flowsDir: string;
  /** Which event sources run (`triggers.*.enabled`); absent: all of them. */
  readonly triggers?: { readonly xcartPoll: boolean; readonly push: boolean; readonly sageproPoll: boolean };
  readonly xcart: XcartSettings;
  readonly sagepro: SageProSettings & {
    readonly dialect?: 'vfp' | 'mssql' | 'sqlite' | 'postgres';
    readonly company: string;
    /** Further connector options from connect.yaml (table resolution: modules, tables, attach; numbering), passed as the service passes them. */
    readonly connector?: Readonly<Record<string, unknown>>;
  };
}

/** Runs every check; the findings are sorted (install-wide first, then by flow and operation). */
export async function runDoctor(opts: DoctorOptions): Promise<Finding[]> {
  const flows = loadDeployedFlows(opts.flowsDir);
  const out: Finding[] = [];
  const down = new Set<string>();

  out.push(...triggerFindings(flows, opts.triggers ?? { xcartPoll: true, push: true, sageproPoll: true }));
  const xcartFindings = await new XcartDoctor(opts.xcart).check(flows);
  for (const f of xcartFindings) if (f.flow === '*' && f.severity === 'error') down.add('xcart');
  out.push(...xcartFindings);

  const usesSagePro = flows.some((f) => sageProWork(f).length > 0 || f.comparisons.length > 0 || f.keyedLookups.length > 0);
  if (usesSagePro) {
    const connector = new SageProConnector({
      ...(opts.sagepro.connector as Partial<ConstructorParameters<typeof SageProConnector>[0]> | undefined),
      dsn: opts.sagepro.dsn, company: opts.sagepro.company, externalRefColumn: opts.sagepro.externalRefColumn, poolSize: 1,
      ...(opts.sagepro.trackingColumn ? { trackingColumn: opts.sagepro.trackingColumn } : {}),
      ...(opts.sagepro.dialect ? { dialect: opts.sagepro.dialect } : {}),
      ...(opts.sagepro.defaultLocation ? { defaultLocation: opts.sagepro.defaultLocation } : {}),
      ...(opts.sagepro.text ? { text: opts.sagepro.text } : {}),
    });
    try {
      const sp = new SageProDoctor(connector, opts.sagepro);
      const c = await sp.connect();
      if (c) { out.push(c); down.add('sagepro'); }
      else {
        for (const f of flows) {
          for (const w of sageProWork(f)) out.push(...(await guarded(f.name, w.operation, () => sp.checkOperation(f, w.operation, w.needs, w.req))));
          out.push(...(await guarded(f.name, 'conditions', () => sp.checkComparisons(f))));
          out.push(...(await guarded(f.name, 'conditions', () => sp.checkKeyedLookups(f))));
        }
      }
    } finally {
      await connector.close();
    }
  }

  // Every operation and trigger without a problem gets an `ok`.
  for (const f of flows) {
    for (const { operation, system } of touchpoints(f)) {
      if (down.has(system)) continue;
      if (out.some((x) => x.flow === f.name && x.operation === operation && (x.severity === 'error' || x.severity === 'warning'))) continue;
      out.push({ flow: f.name, operation, check: 'operation', severity: 'ok', message: 'will work on this install', fix: '' });
    }
  }
  return sortFindings(out);
}

/**
 * A trigger no enabled source feeds never runs: X-Cart order events come from the order poll or the
 * signed push, customer and product events only from the push (the poller reads orders), Sage Pro
 * polls from triggers.sagepro_poll.
 */
export function triggerFindings(flows: readonly DeployedFlow[], t: { xcartPoll: boolean; push: boolean; sageproPoll: boolean }): Finding[] {
  const out: Finding[] = [];
  for (const f of flows) {
    const tr = f.trigger;
    if (tr.kind === 'event' && tr.system === 'xcart') {
      const polled = tr.event.startsWith('order.');
      if (t.push || (polled && t.xcartPoll)) continue;
      out.push({
        flow: f.name, operation: `trigger xcart.${tr.event}`, check: 'trigger', severity: 'error',
        message: polled ? `triggers.xcart_poll and triggers.push are both disabled: no xcart.${tr.event} event ever arrives and the flow never runs` : `triggers.push is disabled and X-Cart ${tr.event.split('.')[0]} events arrive only by signed push (the poller reads orders): the flow never runs`,
        fix: polled ? 'enable triggers.xcart_poll (or triggers.push with the store module that signs events)' : 'enable triggers.push (with its secret) and install the store module that pushes signed events',
      });
    } else if (tr.kind === 'poll' && tr.system === 'sagepro' && !t.sageproPoll) {
      out.push({ flow: f.name, operation: `trigger sagepro.${tr.entity}`, check: 'trigger', severity: 'error', message: 'triggers.sagepro_poll is disabled: the Sage Pro poll never runs and neither does the flow', fix: 'enable triggers.sagepro_poll' });
    }
  }
  return out;
}

/** A check that fails half-way (the database went away) is a finding of its operation, not a crash. */
async function guarded(flow: string, operation: string, fn: () => Promise<Finding[]>): Promise<Finding[]> {
  try {
    return await fn();
  } catch (e) {
    return [{ flow, operation, check: 'connection', severity: 'error', message: `the check stopped: ${(e as Error).message}`, fix: 'check that Sage Pro is reachable and run flowd doctor again' }];
  }
}

/** The trigger and the distinct operations of a flow, as the findings name them. */
export function touchpoints(f: DeployedFlow): { operation: string; system: string }[] {
  const list: { operation: string; system: string }[] = [];
  const t = f.trigger;
  if (t.kind === 'poll' && t.system === 'sagepro') list.push({ operation: `trigger sagepro.${t.entity}`, system: 'sagepro' });
  if (t.kind === 'event' && t.system === 'xcart') list.push({ operation: `trigger xcart.${t.event}`, system: 'xcart' });
  for (const o of f.operations) if (!list.some((x) => x.operation === o.operation)) list.push({ operation: o.operation, system: o.system });
  return list;
}

/**
 * The doctor's settings from a loaded connect.yaml. The Sage Pro site keys (`numbering`,
 * `default_location`) are read where runtime/config puts them (`connections.sagepro`), under
 * either spelling (snake_case as in the file, camelCase as Config gives keys).
 */
export function doctorOptions(config: Config): DoctorOptions {
  const xc = config.connections.xcart;
  const sp = config.connections.sagepro as Config['connections']['sagepro'] & Record<string, unknown>;
  const numbering = (sp.numbering ?? {}) as Record<string, unknown>;
  const defaultLocation = pick<string>(sp, 'defaultLocation', 'default_location');
  const salesOrder = numberingSpec(pick(numbering, 'salesOrder', 'sales_order'));
  const arSession = numberingSpec(pick(numbering, 'arSession', 'ar_session'));
  return {
    flowsDir: config.flows.dir,
    triggers: { xcartPoll: config.triggers.xcartPoll.enabled, push: config.triggers.push.enabled, sageproPoll: config.triggers.sageproPoll.enabled },
    xcart: { baseUrl: xc.baseUrl, token: xc.token.reveal(), changedFilter: xc.changedFilter, pollEnabled: config.triggers.xcartPoll.enabled, timeoutMs: xc.timeoutMs, tracking: { module: xc.module, tracking: xc.tracking } },
    sagepro: {
      dsn: sp.dsn.reveal(), company: sp.company, externalRefColumn: sp.externalRefColumn, ...(sp.trackingColumn ? { trackingColumn: sp.trackingColumn } : {}),
      ...(sp.dialect ? { dialect: sp.dialect } : {}),
      ...(typeof defaultLocation === 'string' ? { defaultLocation } : {}),
      numbering: { ...(salesOrder ? { sales_order: salesOrder } : {}), ...(arSession ? { ar_session: arSession } : {}) },
      ...(sp.text ? { text: sp.text } : {}),
      connector: {
        ...Object.fromEntries(['modules', 'tables', 'attach', 'numbering'].filter((k) => sp[k] !== undefined).map((k) => [k, sp[k]])),
        // The schemas the deployed build was made with (flows.schemas), as flowd serve uses them.
        ...(fs.existsSync(path.join(config.flows.schemas, 'sagepro', 'operations.yaml')) ? { schemaDir: path.join(config.flows.schemas, 'sagepro') } : {}),
      },
    },
  };
}

function pick<T>(o: Record<string, unknown> | undefined, ...keys: string[]): T | undefined {
  for (const k of keys) if (o && o[k] !== undefined && o[k] !== null) return o[k] as T;
  return undefined;
}

export function numberingSpec(raw: unknown): NumberingSpec | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const method = pick<string>(r, 'method');
  if (method !== 'table' && method !== 'max_plus_one' && method !== 'flow') return undefined;
  const str = (...k: string[]) => { const v = pick<unknown>(r, ...k); return v === undefined ? undefined : String(v); };
  const holds = str('holds');
  const where = pick<Record<string, string | number>>(r, 'where');
  return {
    method,
    ...(str('table') ? { table: str('table')! } : {}),
    ...(str('keyColumn', 'key_column') ? { keyColumn: str('keyColumn', 'key_column')! } : {}),
    ...(str('key') ? { key: str('key')! } : {}),
    ...(str('numberColumn', 'number_column') ? { numberColumn: str('numberColumn', 'number_column')! } : {}),
    ...(holds === 'next' || holds === 'last' ? { holds } : {}),
    ...(where && typeof where === 'object' ? { where } : {}),
  };
}
