/** connect.yaml's Sage Pro install keys: numbering, default_location, modules, tables, attach. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';

const ENV = { XCART_TOKEN: 'xc-token-1234', SAGEPRO_DSN: 'Driver=SQLite3;Database=/tmp/s.db' };
const withSagePro = (extra: string) => `
connections:
  xcart: { base_url: "http://127.0.0.1:8089", token: { env: XCART_TOKEN } }
  sagepro:
    dsn: { env: SAGEPRO_DSN }
${extra.replace(/^/gm, '    ')}
`;
const parse = (text: string) => parseConfig(text, 'connect.yaml', ENV, { baseDir: '/srv/connect' });
function configError(fn: () => unknown): ConfigError {
  try { fn(); } catch (err) { if (err instanceof ConfigError) return err; throw err; }
  throw new Error('expected a ConfigError');
}

describe('connect.yaml sagepro install keys', () => {
  it('has no numbering by default (nothing invented) and MAIN as the default location', () => {
    const c = parse(withSagePro(''));
    expect(c.connections.sagepro.numbering).toEqual({});
    expect(c.connections.sagepro.defaultLocation).toBe('MAIN');
    expect(c.connections.sagepro.modules).toBeUndefined();
  });

  it('reads the three numbering methods, modules, tables and attach (paths made absolute)', () => {
    const c = parse(withSagePro(`default_location: WH1
numbering:
  sales_order: { method: table, table: NEXTNUM, key_column: KEYNAME, key: SONO, number_column: LASTUSED, holds: last }
  ar_session: { method: max_plus_one }
modules: { AR: "ardata.{table}{company}", SO: "sodata.{table}{company}" }
tables: { ARCUST: ardata.arcust01 }
attach: { ardata: data/ardata.db }`));
    const sp = c.connections.sagepro;
    expect(sp.defaultLocation).toBe('WH1');
    expect(sp.numbering).toEqual({
      sales_order: { method: 'table', table: 'NEXTNUM', keyColumn: 'KEYNAME', key: 'SONO', numberColumn: 'LASTUSED', holds: 'last' },
      ar_session: { method: 'max_plus_one' },
    });
    expect(sp.modules).toEqual({ AR: 'ardata.{table}{company}', SO: 'sodata.{table}{company}' });
    expect(sp.tables).toEqual({ ARCUST: 'ardata.arcust01' });
    expect(sp.attach).toEqual({ ardata: '/srv/connect/data/ardata.db' });
    expect(parse(withSagePro('numbering: { sales_order: { method: flow } }')).connections.sagepro.numbering).toEqual({ sales_order: { method: 'flow' } });
  });

  it('names the key of a numbering, modules or tables mistake', () => {
    const e = configError(() => parse(withSagePro(`numbering:
  sales_order: { method: table, table: SYSDATA, key_column: NUMKEY, number_column: NEXTNO, holds: next }
modules: { ardata: "x.{table}" }
tables: { ARCUST: "a.b.c" }`)));
    expect(e.message).toMatch(/\/connections\/sagepro\/numbering\/sales_order/);
    expect(e.message).toMatch(/\/connections\/sagepro\/modules/);
    expect(e.message).toMatch(/\/connections\/sagepro\/tables\/ARCUST: must be a table name/);
    const h = configError(() => parse(withSagePro('numbering: { sales_order: { method: table, table: SYSDATA, key_column: NUMKEY, key: SONO, number_column: NEXTNO, holds: first } }')));
    expect(h.message).toMatch(/\/connections\/sagepro\/numbering\/sales_order/);
    const m = configError(() => parse(withSagePro('numbering: { sales_order: { method: guess } }')));
    expect(m.message).toMatch(/numbering\/sales_order.*(method|must be)/);
  });
});
