/**
 * The console's single-page application at `/console`: the files Vite built into `dist/console/`
 * (console.dir), `index.html` for every client route, long-lived caching for hashed assets. When
 * the build is missing, 503 with a text saying how to build it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff', '.map': 'application/json; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
};
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export function serveConsoleFile(dir: string, pathname: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('method not allowed\n');
    return;
  }
  const root = path.resolve(dir);
  const index = path.join(root, 'index.html');
  if (!fs.existsSync(index)) {
    const text = `The operations console is not built: ${index} is missing.\nBuild it with \`node scripts/build-console.mjs\` (Vite, console/; \`make demo\` and \`make test\` build it too), or set console.dir in connect.yaml to the folder that holds it.\nThe JSON API at /api/ works without it.\n`;
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '60' });
    res.end(text);
    return;
  }
  let rel: string;
  try { rel = decodeURIComponent(pathname.replace(/^\/console\/?/, '')); } catch { rel = ''; }
  let file = path.resolve(root, rel);
  const inside = file === root || file.startsWith(root + path.sep);
  let isAsset = false;
  if (inside && rel && !rel.includes('\0')) {
    try { isAsset = fs.statSync(file).isFile(); } catch { isAsset = false; }
  }
  if (!isAsset) file = index; // a client route (/console/runs/12): the application decides
  const body = fs.readFileSync(file);
  const hashed = isAsset && /[.-][A-Za-z0-9_-]{8,}\.(js|css|woff2?|svg|png)$/.test(file);
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': body.length,
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY', 'content-security-policy': CSP,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
