import { describe, expect, it } from 'vitest';
import { register as globalRegistry } from 'prom-client';
import { createMetrics } from './metrics.js';

/** The value of one sample line of a Prometheus text exposition, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('createMetrics', () => {
  it('exposes every series after increments, in Prometheus text format', async () => {
    const m = createMetrics({ processMetrics: false, queueDepth: () => 17 });
    m.eventsIn.inc({ source: 'push', type: 'order.created' });
    m.eventsIn.inc({ source: 'push', type: 'order.created' });
    m.recordJob('OrderToSalesOrder', 'done', 0.3);
    m.recordJob('OrderToSalesOrder', 'dead_letter', 2);
    m.retries.inc({ flow: 'OrderToSalesOrder', error_class: 'transient' });
    m.pushRejected.inc({ reason: 'bad_signature' });
    m.connectionUp.set({ system: 'xcart' }, 1);
    m.connectionUp.set({ system: 'sagepro' }, 0);
    await m.timeCall('sagepro', 'sales_orders.create', async () => 'ok');
    await expect(m.timeCall('xcart', 'orders.get', async () => { throw Object.assign(new Error('503'), { errorClass: 'transient' }); })).rejects.toThrow('503');
    await expect(m.timeCall('xcart', 'orders.get', async () => { throw new Error('plain'); })).rejects.toThrow('plain');

    const text = await m.text();
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(text, 'events_in_total{source="push",type="order.created"}')).toBe(2);
    expect(sample(text, 'jobs_total{flow="OrderToSalesOrder",outcome="done"}')).toBe(1);
    expect(sample(text, 'jobs_total{flow="OrderToSalesOrder",outcome="dead_letter"}')).toBe(1);
    expect(sample(text, 'job_duration_seconds_count{flow="OrderToSalesOrder"}')).toBe(2);
    expect(sample(text, 'job_duration_seconds_sum{flow="OrderToSalesOrder"}')).toBeCloseTo(2.3);
    expect(sample(text, 'job_duration_seconds_bucket{le="0.5",flow="OrderToSalesOrder"}')).toBe(1);
    expect(sample(text, 'connector_call_duration_seconds_count{system="sagepro",operation="sales_orders.create",outcome="ok"}')).toBe(1);
    expect(sample(text, 'connector_call_duration_seconds_count{system="xcart",operation="orders.get",outcome="transient"}')).toBe(1);
    expect(sample(text, 'connector_call_duration_seconds_count{system="xcart",operation="orders.get",outcome="error"}')).toBe(1);
    expect(sample(text, 'queue_depth')).toBe(17);
    expect(sample(text, 'retries_total{flow="OrderToSalesOrder",error_class="transient"}')).toBe(1);
    expect(sample(text, 'push_rejected_total{reason="bad_signature"}')).toBe(1);
    expect(sample(text, 'connection_up{system="xcart"}')).toBe(1);
    expect(sample(text, 'connection_up{system="sagepro"}')).toBe(0);
    expect(text).toContain('# TYPE job_duration_seconds histogram');
    expect(text).toContain('# TYPE queue_depth gauge');
    expect(text).not.toContain('process_cpu'); // processMetrics: false
  });

  it('reads queue_depth at every scrape and keeps the last value when the source fails', async () => {
    let depth = 3;
    let fail = false;
    const m = createMetrics({ processMetrics: false, queueDepth: async () => { if (fail) throw new Error('db locked'); return depth; } });
    expect(sample(await m.text(), 'queue_depth')).toBe(3);
    depth = 9;
    expect(sample(await m.text(), 'queue_depth')).toBe(9);
    fail = true;
    expect(sample(await m.text(), 'queue_depth')).toBe(9);
  });

  it('uses a registry of its own: two instances do not collide, the global registry stays empty', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.pushRejected.inc({ reason: 'too_large' });
    expect(sample(await a.text(), 'push_rejected_total{reason="too_large"}')).toBe(1);
    expect(sample(await b.text(), 'push_rejected_total{reason="too_large"}')).toBeUndefined();
    expect(await a.text()).toContain('process_cpu_user_seconds_total');
    expect(await globalRegistry.metrics()).not.toContain('events_in_total');
  });
});
