// S28, S31: deploy/compose.yaml read as compose reads it (YAML), and every
// service held to the container rules. Docker does not run where the tests
// run, so these are the checks that can be made without it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  readonly image?: string;
  readonly build?: unknown;
  readonly user?: string;
  readonly read_only?: boolean;
  readonly security_opt?: readonly string[];
  readonly cap_drop?: readonly string[];
  readonly cap_add?: readonly string[];
  readonly privileged?: boolean;
  readonly restart?: string;
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly ports?: readonly string[];
  readonly expose?: readonly string[];
  readonly tmpfs?: readonly string[];
  readonly volumes?: readonly string[];
  readonly networks?: readonly string[];
  readonly secrets?: readonly (string | { readonly source: string; readonly target?: string })[];
  readonly healthcheck?: {
    readonly test?: readonly string[];
    readonly disable?: boolean;
    readonly interval?: string;
    readonly timeout?: string;
    readonly retries?: number;
  };
  readonly deploy?: {
    readonly replicas?: number;
    readonly resources?: { readonly limits?: { readonly cpus?: string; readonly memory?: string } };
  };
}

interface Compose {
  readonly services: Readonly<Record<string, Service>>;
  readonly networks: Readonly<Record<string, { readonly internal?: boolean }>>;
  readonly secrets: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

const COMPOSE_FILE = 'deploy/compose.yaml';
const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { strict: true }) as Compose;
const services = Object.entries(compose.services);
const INTERNAL_SERVICES = ['timescaledb', 'redis'];
/** Names of settings whose values are secrets: they must never be inline. */
const SECRET_NAME = /SECRET|PASSWORD|PASS$|TOKEN|KEY$|_URL$|AUTH/;
/** Variables that name a file holding a secret, or a non-secret URL. */
const ALLOWED_INLINE = new Set(['POSTGRES_PASSWORD_FILE', 'BASE_URL']);

describe('deploy/compose.yaml', () => {
  it('has the services the deployment needs', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['app', 'redis', 'timescaledb', 'traefik', 'worker'].sort(),
    );
  });

  describe.each(services)('S31 service %s', (_name, service) => {
    it('has a read-only root filesystem', () => {
      expect(service.read_only).toBe(true);
    });

    it('sets no-new-privileges and drops every capability, adding none back', () => {
      expect(service.security_opt).toContain('no-new-privileges:true');
      expect(service.cap_drop).toEqual(['ALL']);
      expect(service.cap_add).toBeUndefined();
      expect(service.privileged).toBeUndefined();
    });

    it('runs as a non-root numeric user', () => {
      expect(service.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    });

    it('has CPU and memory limits', () => {
      const limits = service.deploy?.resources?.limits;
      expect(Number(limits?.cpus)).toBeGreaterThan(0);
      expect(limits?.memory).toMatch(/^\d+[MG]$/);
    });

    it('has a health check and a restart policy', () => {
      expect(service.healthcheck?.disable).toBeUndefined();
      expect(service.healthcheck?.test?.[0]).toMatch(/^CMD(-SHELL)?$/);
      expect(service.healthcheck?.test?.length).toBeGreaterThan(1);
      expect(service.healthcheck?.interval).toMatch(/^\d+s$/);
      expect(service.healthcheck?.timeout).toMatch(/^\d+s$/);
      expect(service.restart).toBe('unless-stopped');
    });

    it('pins its image by tag, never latest', () => {
      expect(service.image).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(service.image).not.toMatch(/:latest|:latest-/);
    });

    it('writes only to tmpfs and declared volumes, each tmpfs size-capped', () => {
      for (const mount of service.tmpfs ?? []) expect(mount).toMatch(/^\/[\w/.-]+:size=\d+[mk]/);
    });

    it('has no inline secret-looking value in its environment', () => {
      for (const [name, value] of Object.entries(service.environment ?? {})) {
        if (ALLOWED_INLINE.has(name)) continue;
        expect(name, `${name} looks like a secret; put it in a secret file`).not.toMatch(
          SECRET_NAME,
        );
        expect(String(value)).not.toMatch(/:\/\/[^/\s]*:[^@/\s]*@/);
      }
    });
  });

  it.each(INTERNAL_SERVICES)(
    'S28 %s publishes no port and is on the internal network only',
    (name) => {
      const service = compose.services[name];
      expect(service?.ports).toBeUndefined();
      expect(service?.expose).toBeUndefined();
      expect(service?.networks).toEqual(['internal']);
      expect(compose.networks.internal?.internal).toBe(true);
    },
  );

  it('S28 only Traefik publishes ports', () => {
    const publishing = services.filter(([, service]) => service.ports).map(([name]) => name);
    expect(publishing).toEqual(['traefik']);
  });

  it('the internal network is the only one the database and Redis share with the app', () => {
    expect(compose.services.app?.networks).toContain('internal');
    expect(compose.services.worker?.networks).toContain('internal');
    expect(compose.services.traefik?.networks).not.toContain('internal');
  });

  it('reads every secret from a file under deploy/secrets, none inline', () => {
    for (const [name, secret] of Object.entries(compose.secrets)) {
      expect(Object.keys(secret), name).toEqual(['file']);
      expect(secret.file, name).toMatch(/^\.\/secrets\/[\w.-]+$/);
    }
    expect(compose.services.timescaledb?.environment?.POSTGRES_PASSWORD_FILE).toBe(
      '/run/secrets/postgres_password',
    );
  });

  it("gives the app and the worker their secrets as the app's .env file", () => {
    for (const name of ['app', 'worker']) {
      expect(compose.services[name]?.secrets).toEqual([{ source: 'app_env', target: '/app/.env' }]);
    }
  });

  it('runs two app replicas of `tracera serve` without ingestion, and one worker', () => {
    const { app, worker } = compose.services;
    expect(app?.deploy?.replicas).toBe(2);
    expect(app?.command).toEqual(['dist/main.js', 'serve']);
    expect(app?.environment?.INGEST_IN_SERVE).toBe('false');
    expect(app?.environment?.NODE_ENV).toBe('production');
    expect(worker?.command).toEqual(['dist/main.js', 'worker']);
  });

  it('trusts X-Forwarded-For only from the edge network Traefik is on', () => {
    const edge = compose.networks.edge as { ipam?: { config?: { subnet?: string }[] } };
    expect(compose.services.app?.environment?.TRUSTED_PROXIES).toBe(edge.ipam?.config?.[0]?.subnet);
  });

  it('preloads TimescaleDB, so migration 002 makes prices a hypertable', () => {
    const database = compose.services.timescaledb;
    expect(database?.image).toMatch(/^timescale\/timescaledb:2\.\d+\.\d+-pg15$/);
    expect(database?.command).toEqual(['postgres', '-c', 'shared_preload_libraries=timescaledb']);
  });

  it('ships example secret files with placeholders only', () => {
    for (const name of Object.keys(compose.secrets)) {
      const file = compose.secrets[name]?.file ?? '';
      const example = readFileSync(`deploy/${file.slice(2)}.example`, 'utf8');
      expect(example).toMatch(/<[^>]+>/);
    }
  });
});
