// S29: Traefik's static and dynamic configuration, read as YAML. The header
// values are compared with what the app itself sends (src/security/headers.ts),
// so the edge and the app cannot drift apart.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { securityHeaders } from '../../src/security/headers.js';

interface Router {
  readonly rule: string;
  readonly entryPoints: readonly string[];
  readonly middlewares?: readonly string[];
  readonly service: string;
  readonly tls?: { readonly certResolver?: string };
}

interface Dynamic {
  readonly http: {
    readonly routers: Readonly<Record<string, Router>>;
    readonly middlewares: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    readonly services: Readonly<
      Record<string, { readonly loadBalancer: { readonly servers: { url: string }[] } }>
    >;
  };
}

interface Static {
  readonly entryPoints: Readonly<
    Record<
      string,
      {
        readonly address: string;
        readonly http?: {
          readonly redirections?: {
            readonly entryPoint?: { to?: string; scheme?: string; permanent?: boolean };
          };
          readonly tls?: { readonly certResolver?: string };
        };
      }
    >
  >;
  readonly api?: { readonly dashboard?: boolean; readonly insecure?: boolean };
  readonly certificatesResolvers: Readonly<
    Record<string, { readonly acme: { readonly caServer?: string } }>
  >;
}

const readYaml = <T>(path: string): T => parse(readFileSync(path, 'utf8'), { strict: true }) as T;
const staticConfig = readYaml<Static>('deploy/traefik/traefik.yaml');
const dynamic = readYaml<Dynamic>('deploy/traefik/dynamic.yaml');
const compose = readYaml<{
  services: Record<
    string,
    { environment?: Record<string, string>; deploy?: { replicas?: number } }
  >;
}>('deploy/compose.yaml');
const { routers, middlewares, services } = dynamic.http;
const STAGING_DIRECTORY = 'https://acme-staging-v02.api.letsencrypt.org/directory';
const HOST = new URL(compose.services.app?.environment?.BASE_URL ?? '').host;

describe('Traefik static configuration', () => {
  it('redirects every plain HTTP request to HTTPS, permanently', () => {
    expect(staticConfig.entryPoints.web?.http?.redirections?.entryPoint).toEqual({
      to: 'websecure',
      scheme: 'https',
      permanent: true,
    });
  });

  it('S29 uses only the Let’s Encrypt staging ACME directory', () => {
    const resolvers = Object.values(staticConfig.certificatesResolvers);
    expect(resolvers.length).toBeGreaterThan(0);
    for (const resolver of resolvers) expect(resolver.acme.caServer).toBe(STAGING_DIRECTORY);
  });

  it('never serves the dashboard insecurely (on its own entry point, unauthenticated)', () => {
    expect(staticConfig.api?.insecure).toBe(false);
  });
});

describe('Traefik dynamic configuration', () => {
  it('S29 the header middleware sends exactly the headers the app sends over https', () => {
    const headers = middlewares['security-headers']?.headers as {
      customResponseHeaders: Record<string, string>;
    };
    const sent = Object.fromEntries(
      Object.entries(headers.customResponseHeaders).map(([name, value]) => [
        name.toLowerCase(),
        value,
      ]),
    );
    const baseUrl = compose.services.app?.environment?.BASE_URL ?? '';
    expect(baseUrl).toMatch(/^https:/);
    expect(sent).toEqual(securityHeaders(baseUrl));
  });

  it.each([
    ['/', 'app'],
    ['/api/*', 'api'],
    ['/api/v1/auth', 'auth'],
  ])('S29 %s is served through the header middleware (router %s)', (_path, name) => {
    const router = routers[name];
    expect(router?.rule).toContain(`Host(\`${HOST}\`)`);
    expect(router?.middlewares).toContain('security-headers');
    expect(router?.entryPoints).toEqual(['websecure']);
    expect(router?.service).toBe('app');
  });

  it('S29 the routers cover / and /api, and the auth routes carry the rate limit', () => {
    expect(routers.app?.rule).toContain('PathPrefix(`/`)');
    expect(routers.api?.rule).toContain('PathPrefix(`/api`)');
    expect(routers.auth?.rule).toContain('PathPrefix(`/api/v1/auth`)');
    expect(routers.auth?.middlewares?.[0]).toBe('auth-rate-limit');
    expect(middlewares['auth-rate-limit']?.rateLimit).toMatchObject({
      average: expect.any(Number),
      period: '1m',
    });
  });

  it('S28 the dashboard needs an allowed address, then basic auth', () => {
    const dashboard = routers.dashboard;
    expect(dashboard?.service).toBe('api@internal');
    expect(dashboard?.middlewares?.slice(0, 2)).toEqual(['dashboard-allowlist', 'dashboard-auth']);
    const allowlist = middlewares['dashboard-allowlist']?.ipAllowList as { sourceRange: string[] };
    expect(allowlist.sourceRange.length).toBeGreaterThan(0);
    expect(allowlist.sourceRange).not.toContain('0.0.0.0/0');
    const auth = middlewares['dashboard-auth']?.basicAuth as {
      usersFile?: string;
      users?: unknown;
    };
    expect(auth.usersFile).toBe('/run/secrets/traefik_dashboard_users');
    expect(auth.users).toBeUndefined();
  });

  it('every router is HTTPS-only with the staging resolver, and every middleware it names exists', () => {
    for (const [name, router] of Object.entries(routers)) {
      expect(router.entryPoints, name).toEqual(['websecure']);
      expect(router.tls?.certResolver, name).toBe('letsencrypt-staging');
      for (const middleware of router.middlewares ?? []) {
        expect(Object.keys(middlewares), `${name} uses ${middleware}`).toContain(middleware);
      }
    }
    expect(Object.keys(staticConfig.certificatesResolvers)).toEqual(['letsencrypt-staging']);
  });

  it('balances over one server per app replica', () => {
    const servers = services.app?.loadBalancer.servers.map((server) => server.url);
    const replicas = compose.services.app?.deploy?.replicas ?? 0;
    expect(servers).toEqual(
      Array.from({ length: replicas }, (_, index) => `http://tracera-app-${index + 1}:3000`),
    );
  });
});
