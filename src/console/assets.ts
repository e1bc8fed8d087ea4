import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { packageFile } from '../core/package-file.js';

/** The page's scripts: src/console/web compiled by the build into dist/console/web. */
const WEB_DIR = packageFile('dist/console/web/');

/** Modules that hold only types: nothing imports them at run time, so the page does not preload them. */
const TYPES_ONLY = new Set(['types.js', 'view.js']);

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function asset(body: Buffer | string, type: string): Asset {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  return { body: b, type, etag: `"${createHash('sha1').update(b).digest('base64url')}"` };
}

/** The scripts by their path under /assets/, read once; empty when the build has not made them. */
function scripts(): Map<string, Asset> {
  const out = new Map<string, Asset>();
  let names: string[];
  try {
    names = readdirSync(WEB_DIR, { recursive: true }) as string[];
  } catch {
    return out;
  }
  for (const name of names) {
    if (!name.endsWith('.js')) continue;
    out.set(name.split('\\').join('/'), asset(readFileSync(WEB_DIR + name), 'text/javascript; charset=utf-8'));
  }
  return out;
}

const STYLE = `
:root{--bg:#f6f7f9;--fg:#1d232b;--muted:#5d6875;--line:#d9dee4;--accent:#0b6bcb;--bad:#c62828;--ok:#2e7d32;--card:#fff;font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg)}
header{display:flex;align-items:center;gap:16px;padding:8px 16px;background:#1d232b;color:#fff}
header h1{font-size:16px;margin:0 8px 0 0;font-weight:600}header nav{display:flex;gap:4px;flex-wrap:wrap}
header nav a{color:#cfd6de;text-decoration:none;padding:6px 10px;border-radius:4px}header nav a.on,header nav a:hover{background:#36404c;color:#fff}
header .who{margin-left:auto;color:#cfd6de;font-size:13px}header .who input{width:56px;padding:2px 4px}header button{margin-left:8px}
main{padding:16px;max-width:1400px}
h2{font-size:18px;margin:4px 0 12px}h3{font-size:15px;margin:16px 0 8px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:8px;margin-bottom:16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 12px}
.card .k{color:var(--muted);font-size:12px}.card .v{font-size:18px;font-weight:600;word-break:break-all}
table{border-collapse:collapse;background:var(--card);border:1px solid var(--line);width:100%;margin-bottom:12px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top;font-size:13px}
th{background:#eef1f4;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.pick{cursor:pointer}tr.pick:hover{background:#eef5fd}tr.sel{background:#dcebfb}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-all}
.bin{color:#8a4b00}.muted{color:var(--muted)}.bad{color:var(--bad)}.ok{color:var(--ok)}
.denied{background:#fff4e5;border:1px solid #f0c36d;border-radius:4px;padding:6px 10px;margin:6px 0;font-size:13px}
.error{background:#fdecea;border:1px solid #f5a8a0;border-radius:4px;padding:6px 10px;margin:6px 0}
form.bar,.bar{display:flex;gap:8px;align-items:center;margin-bottom:10px;flex-wrap:wrap}
input,select,button{font:inherit;padding:4px 8px;border:1px solid var(--line);border-radius:4px;background:#fff}
button{cursor:pointer;background:var(--accent);color:#fff;border-color:var(--accent)}button.plain{background:#fff;color:var(--fg);border-color:var(--line)}
button:disabled{opacity:.5;cursor:default}
.split{display:grid;grid-template-columns:minmax(300px,2fr) 3fr;gap:16px}@media (max-width:900px){.split{grid-template-columns:1fr}}
.login{max-width:320px;margin:80px auto;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:20px}
.login label{display:block;margin:8px 0 4px}.login input{width:100%}.login button{margin-top:12px;width:100%}
svg.chart{background:var(--card);border:1px solid var(--line);border-radius:6px;width:100%;height:160px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:8px;margin-bottom:16px}
.chart-title{font-size:12px;color:var(--muted);margin:0 0 2px}
.s0{color:#0b6bcb;margin-right:10px}.s1{color:#c05f00;margin-right:10px}.s2{color:#2e7d32;margin-right:10px}
.pill{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px;background:#eef1f4}.pill.bad{background:#fdecea}.pill.ok{background:#e8f5e9}
`;

const page = (modules: string[]) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sluice console</title><link rel="stylesheet" href="/assets/console.css">
${modules.map((m) => `<link rel="modulepreload" href="/assets/${m}">`).join('')}
<script type="module" src="/assets/app.js"></script></head>
<body><noscript>The console needs JavaScript.</noscript><div id="app"></div></body></html>
`;

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sluice console</title></head>
<body><p>The console's page has not been built: run <code>npm run build</code>.</p></body></html>
`;

/** The page, its style sheet and its scripts, by path. */
export function loadAssets(): Map<string, Asset> {
  const js = scripts();
  const out = new Map<string, Asset>();
  out.set('/', asset(js.has('app.js') ? page([...js.keys()].filter((n) => !TYPES_ONLY.has(n))) : NOT_BUILT, 'text/html; charset=utf-8'));
  out.set('/assets/console.css', asset(STYLE, 'text/css; charset=utf-8'));
  for (const [name, a] of js) out.set(`/assets/${name}`, a);
  return out;
}
