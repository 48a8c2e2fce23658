/**
 * A push sender in its own node process, standing in for X-Cart's push module: it signs with its
 * own HMAC code (no code shared with flowd), starts every push at once (no body goes on past its first
 * part until every push has started, and none sends its last part until all are at theirs), sends each body in 4 parts
 * 25 ms apart (as over a real network, not in one loopback read), and retries every 503 after a
 * short pause until it gets 202. `bodiesFile` is a JSON list of bodies, or `{ count, padding }` for that many
 * order.created bodies (ids 1..count) each with `padding` bytes of data. No vitest import here.
 */
import { spawn } from 'node:child_process';

export interface SenderResult { firstTry503: number; retries: number; connectionErrors: number; missingRetryAfter: number; otherStatuses: number[]; accepted: number }

/** A separate node process that signs (its own HMAC code, as the X-Cart module has) and sends every body at once. */
export function runSender(url: string, secret: string, bodiesFile: string): Promise<SenderResult> {
  const script = `
    const crypto = require('node:crypto');
    const fs = require('node:fs');
    const http = require('node:http');
    const [url, secret, file] = process.argv.slice(1);
    // A list of bodies, or { count, padding }: that many order.created bodies with ids 1..count.
    const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
    const at = new Date().toISOString();
    const bodies = Array.isArray(spec) ? spec : Array.from({ length: spec.count }, (_, i) => JSON.stringify({ type: 'order.created', id: i + 1, occurred_at: at, data: { padding: 'x'.repeat(spec.padding) } }));
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const r = { firstTry503: 0, retries: 0, connectionErrors: 0, missingRetryAfter: 0, otherStatuses: [], accepted: 0 };
    const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
    // "At once" for real: every first attempt has sent its headers and the first part of its body
    // before any body goes on, so the server sees them all in progress together (on a fast machine
    // the pushes would otherwise finish one by one and the limit would never be reached).
    let started = 0; let release; const allStarted = new Promise((ok) => { release = ok; });
    const firstPartSent = () => { if (++started === bodies.length) release(); return allStarted; };
    // And no first attempt sends its last part until every first attempt is there, plus 300 ms: a
    // server whose event loop was busy for a moment would otherwise read each push whole in one go
    // and finish it before it even sees the next one (then nothing is ever "in progress together").
    let atLast = 0; let releaseLast; const allAtLast = new Promise((ok) => { releaseLast = ok; });
    const lastPartDue = () => { if (++atLast === bodies.length) setTimeout(releaseLast, 300); return allAtLast; };
    // One POST whose body arrives in 4 parts 25 ms apart, as from a sender on a real network.
    const post = (body, first) => new Promise((resolve, reject) => {
      const ts = String(Math.floor(Date.now() / 1000));
      const sig = 'sha256=' + crypto.createHmac('sha256', secret).update(ts + '.').update(body).digest('hex');
      const buf = Buffer.from(body);
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': buf.length, 'x-connect-timestamp': ts, 'x-connect-signature': sig } }, (res) => {
        // The answer counts once its head arrived: a sender that gets 503 stops sending the body.
        res.resume();
        resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'] });
      });
      let head = false;
      const answered = () => head;
      req.on('response', () => { head = true; });
      req.on('error', (e) => { if (!head) reject(e); });
      (async () => {
        const part = Math.ceil(buf.length / 4);
        for (let i = 0; i < 4 && !req.destroyed && !answered(); i++) {
          req.write(buf.subarray(i * part, (i + 1) * part));
          if (i === 0 && first) await firstPartSent();
          if (i === 2 && first) await lastPartDue();
          await sleep(25);
        }
        req.end();
      })().catch(reject);
    });
    const send = async (body) => {
      for (let attempt = 0; attempt < 300; attempt++) {
        let res;
        try { res = await post(body, attempt === 0); } catch (e) { r.connectionErrors++; r.retries++; (r.errorCodes ??= []).push(e.code || e.message); await sleep(50); continue; }
        if (res.status === 202) { r.accepted++; return; }
        if (res.status !== 503) { r.otherStatuses.push(res.status); return; }
        if (attempt === 0) r.firstTry503++;
        r.retries++;
        if (!/^[1-9][0-9]*$/.test(res.retryAfter || '')) r.missingRetryAfter++;
        await sleep(20 + Math.random() * 80);
      }
      r.otherStatuses.push('gave up');
    };
    Promise.all(bodies.map(send)).then(() => process.stdout.write(JSON.stringify(r)));
  `;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', script, url, secret, bodiesFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => { out += c; });
    p.once('error', reject);
    p.once('close', (code) => { try { resolve(JSON.parse(out) as SenderResult); } catch { reject(new Error(`sender exited ${code}: ${out}`)); } });
  });
}
