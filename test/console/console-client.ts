import http from 'node:http';
import https from 'node:https';

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** One HTTP request, with whatever headers the test gives (a browser would not let a page forge Origin; a test must). */
export function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; ca?: Buffer } = {}): Promise<HttpReply> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(u, { method: opts.method ?? 'GET', headers: opts.headers, ca: opts.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A browser's part in talking to the console: its cookie, the CSRF token, the console's origin. */
export class ConsoleSession {
  cookie = '';
  csrf: string | null = null;
  readonly origin: string;

  constructor(readonly base: string, private readonly ca?: Buffer) {
    this.origin = base.replace(/\/$/, '');
  }

  private keep(r: HttpReply): HttpReply {
    const set = r.headers['set-cookie']?.[0];
    if (set !== undefined) this.cookie = set.split(';')[0];
    if (r.json !== null && typeof r.json === 'object' && typeof r.json.csrf === 'string') this.csrf = r.json.csrf;
    return r;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<HttpReply> {
    return this.keep(await request(`${this.origin}${path}`, { headers: { cookie: this.cookie, ...headers }, ca: this.ca }));
  }

  async post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpReply> {
    const h: Record<string, string> = { cookie: this.cookie, origin: this.origin, 'content-type': 'application/json' };
    if (this.csrf !== null) h['x-sluice-csrf'] = this.csrf;
    return this.keep(await request(`${this.origin}${path}`, { method: 'POST', headers: { ...h, ...headers }, body: JSON.stringify(body), ca: this.ca }));
  }

  async login(username: string, password: string): Promise<HttpReply> {
    return this.post('/api/login', { username, password });
  }
}

/** A key as the API's queries take it: its bytes in base64url. */
export const q = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
