// S31: deploy/Dockerfile, read instruction by instruction (Docker does not
// run here). hadolint runs too when it is installed; it is not in Debian or
// on the npm registry, so CI skips that one test and says so.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DOCKERFILE,
  dockerfileStages,
  execForm,
  finalInstruction,
} from './dockerfile-instructions.js';

const stages = dockerfileStages();
const runtime = stages.at(-1);
const hadolint = spawnSync('hadolint', ['--version']).status === 0;

describe('deploy/Dockerfile', () => {
  it('is multi-stage: a build, the production dependencies, then the runtime', () => {
    expect(stages.map((stage) => stage.name)).toEqual(['build', 'prod-deps', 'runtime']);
  });

  it('pins every base image by tag, never latest', () => {
    for (const stage of stages) {
      expect(stage.from).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(stage.from).not.toMatch(/:latest$/);
    }
  });

  it('builds the web app and the server in the image', () => {
    const build = stages[0]?.instructions.filter((instruction) => instruction.keyword === 'RUN');
    // npm ci's postinstall builds web/dist (scripts/build-web.ts).
    expect(build?.map((instruction) => instruction.args)).toEqual([
      'npm ci --no-audit --no-fund',
      'npm run build',
    ]);
    expect(JSON.parse(readFileSync('package.json', 'utf8')).scripts.postinstall).toMatch(
      /build-web\.ts/,
    );
  });

  it('ships production dependencies only, installed without scripts', () => {
    const deps = stages[1]?.instructions.find((instruction) => instruction.keyword === 'RUN');
    expect(deps?.args).toMatch(/^npm ci --omit=dev --ignore-scripts/);
    const copies = runtime?.instructions.filter((instruction) => instruction.keyword === 'COPY');
    const nodeModules = copies?.filter((copy) => copy.args.includes('node_modules'));
    expect(nodeModules?.map((copy) => copy.args)).toEqual([
      '--from=prod-deps /src/node_modules ./node_modules',
    ]);
  });

  it('runs on a distroless image (no shell) as a non-root user', () => {
    expect(runtime?.from).toMatch(/^gcr\.io\/distroless\/nodejs20-debian12:nonroot$/);
    expect(finalInstruction('USER')).toMatch(/^(nonroot|[1-9]\d*)(:\S+)?$/);
  });

  it('has an exec-form HEALTHCHECK running the node health script', () => {
    const healthcheck = finalInstruction('HEALTHCHECK') ?? '';
    const command = healthcheck.slice(healthcheck.indexOf('CMD ') + 'CMD '.length);
    expect(healthcheck).toMatch(/--interval=\d+s --timeout=\d+s/);
    expect(execForm(command)).toEqual(['/nodejs/bin/node', 'deploy/healthcheck.mjs']);
    expect(existsSync('deploy/healthcheck.mjs')).toBe(true);
  });

  it('starts `tracera serve` from the compiled dist/ in exec form', () => {
    expect(execForm(finalInstruction('ENTRYPOINT') ?? '')).toEqual(['/nodejs/bin/node']);
    expect(execForm(finalInstruction('CMD') ?? '')).toEqual(['dist/main.js', 'serve']);
  });

  it('keeps secrets, data and the repository history out of the build context', () => {
    const ignored = readFileSync(`${DOCKERFILE}.dockerignore`, 'utf8').split('\n');
    for (const entry of ['**/.git', '**/node_modules', '.env', 'data', 'deploy/secrets', 'meta']) {
      expect(ignored).toContain(entry);
    }
  });

  it.skipIf(!hadolint)(
    hadolint ? 'passes hadolint' : 'passes hadolint (skipped: hadolint is not on PATH)',
    () => {
      expect(() => execFileSync('hadolint', [DOCKERFILE], { encoding: 'utf8' })).not.toThrow();
    },
  );
});
