/**
 * @module dashboard/server
 * A first, small dashboard served by the API process: the page itself holds no data (so it needs
 * no auth); it asks for the API token, keeps it in the browser's sessionStorage only, and reads
 * runs through the authenticated API. Text is inserted with textContent, never as HTML.
 */
import type { FastifyInstance } from 'fastify';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>metricgate</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:2rem;color:#222}h1{font-size:1.3rem}
table{border-collapse:collapse;width:100%}td,th{padding:.35rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
.Successful{color:#157f3b}.Failed,.Error{color:#b3261e}.Inconclusive{color:#9a6700}.Running{color:#555}
#msg{color:#b3261e}code{font-size:12px}
</style></head><body>
<h1>metricgate — runs</h1>
<form id="auth"><label>API token <input id="token" type="password" autocomplete="off" size="40"></label> <button>Show runs</button></form>
<p id="msg" role="alert"></p>
<table><thead><tr><th>run</th><th>phase</th><th>started</th><th>message</th></tr></thead><tbody id="runs"></tbody></table>
<script>
const $ = (id) => document.getElementById(id);
async function load() {
  const token = sessionStorage.getItem('metricgate-token') || '';
  const res = await fetch('/api/v1/runs?limit=100', { headers: token ? { authorization: 'Bearer ' + token } : {} });
  const body = await res.json();
  if (!res.ok) { $('msg').textContent = body.error ? body.error.code + ': ' + body.error.message : res.statusText; return; }
  $('msg').textContent = '';
  const rows = $('runs'); rows.replaceChildren();
  for (const run of body.items) {
    const tr = document.createElement('tr');
    const phase = (run.status && run.status.phase) || 'Pending';
    for (const [text, cls] of [[run.metadata.name + ' (' + run.metadata.uid + ')', ''], [phase, phase], [(run.status && run.status.startedAt) || '', ''], [(run.status && run.status.message) || '', '']]) {
      const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td);
    }
    rows.appendChild(tr);
  }
}
$('auth').addEventListener('submit', (e) => { e.preventDefault(); sessionStorage.setItem('metricgate-token', $('token').value); load(); });
if (sessionStorage.getItem('metricgate-token') !== null) load();
setInterval(() => { if (sessionStorage.getItem('metricgate-token') !== null) load(); }, 5000);
</script></body></html>`;

/** Serves the dashboard page at `/`. */
export function registerDashboard(app: FastifyInstance): void {
  app.get('/', { config: { public: true } }, async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline'")
      .send(PAGE),
  );
}
