// A browser-like client over `app.inject`: it keeps cookies as a browser
// would (set, replace, delete on Max-Age=0) and sends the CSRF token it was
// given, so tests read like the flows a user goes through.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export interface BrowserRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Send the CSRF token this browser holds (default for unsafe methods). */
  readonly csrf?: boolean;
}

export class Browser {
  readonly cookies = new Map<string, string>();
  csrfToken: string | null = null;

  constructor(
    private readonly app: FastifyInstance,
    readonly ip = '203.0.113.10',
    readonly userAgent = 'Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0',
  ) {}

  async request(options: BrowserRequest): Promise<LightMyRequestResponse> {
    const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...options.headers };
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    if ((options.csrf ?? method !== 'GET') && this.csrfToken)
      headers['x-csrf-token'] = this.csrfToken;
    const response = await this.app.inject({
      method,
      url: options.url,
      headers,
      remoteAddress: this.ip,
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number }[]) {
      if (cookie.maxAge === 0 || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const body = String(response.headers['content-type'] ?? '').includes('json')
      ? response.json()
      : null;
    if (body && typeof body.csrf_token === 'string') this.csrfToken = body.csrf_token;
    return response;
  }

  /** Asks for a CSRF token, as the web app does before its first form. */
  async fetchCsrf(): Promise<string> {
    const response = await this.request({ url: '/api/v1/auth/csrf' });
    if (response.statusCode !== 200)
      throw new Error(`csrf: ${response.statusCode} ${response.body}`);
    return this.csrfToken as string;
  }

  /** An unsafe JSON request with a CSRF token (fetched first when none is held). */
  async send(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse> {
    if (!this.csrfToken) await this.fetchCsrf();
    return this.request({ method, url, ...(body === undefined ? {} : { body }) });
  }
}
