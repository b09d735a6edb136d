// S17, S18: the Google and GitHub clients against a stand-in provider on
// 127.0.0.1 that checks what a real one checks (client, redirect URI, code
// once, PKCE verifier, access token) and misbehaves on demand.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createOAuthClient,
  type OAuthClient,
  OAuthError,
  type OAuthFailure,
  type OAuthProvider,
} from '../../src/auth/federated/oauth.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  type OAuthStandIn,
  s256,
  startOAuthStandIn,
} from '../support/oauth-provider.js';

const REDIRECT_URI = 'https://tracera.test/api/v1/auth/google/callback';
/** The deadline the tests of a provider that does not answer wait out. */
const SHORT_TIMEOUT_MS = 300;
/** Every other test's: a sign-in is three calls, and a busy machine can take 300 ms over them. */
const TIMEOUT_MS = 10_000;
const GOOGLE_PROFILE = {
  sub: '110169484474386276334',
  email: 'ada@example.com',
  email_verified: true,
  name: 'Ada',
  picture: 'https://lh3.example/ada.png',
};

let provider: OAuthStandIn | undefined;

afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

async function clientFor(
  dialect: OAuthProvider,
  timeoutMs = TIMEOUT_MS,
): Promise<{ client: OAuthClient; standIn: OAuthStandIn }> {
  const standIn = await startOAuthStandIn(dialect);
  provider = standIn;
  const client = createOAuthClient({
    provider: dialect,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    endpoints: standIn.endpoints,
    timeoutMs,
  });
  return { client, standIn };
}

function authorization(client: OAuthClient) {
  const codeVerifier = client.newCodeVerifier();
  return { url: client.authorizationUrl('state-123', codeVerifier), codeVerifier };
}

/** Goes through the authorization step as a browser would; the code and verifier it yields. */
function authorize(client: OAuthClient, standIn: OAuthStandIn) {
  const { url, codeVerifier } = authorization(client);
  const challenge = new URL(url).searchParams.get('code_challenge');
  return { code: standIn.issueCode(REDIRECT_URI, challenge), codeVerifier };
}

async function failureOf(promise: Promise<unknown>): Promise<OAuthFailure> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OAuthError);
  return (error as OAuthError).failure;
}

describe('Google', () => {
  it('asks for the account with state and an S256 PKCE challenge', async () => {
    const { client, standIn } = await clientFor('google');
    const { url, codeVerifier } = authorization(client);
    const params = new URL(url).searchParams;
    expect(url.startsWith(standIn.endpoints.authorize)).toBe(true);
    expect(Object.fromEntries(params)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: 'state-123',
      scope: 'openid email profile',
      code_challenge_method: 'S256',
      code_challenge: s256(codeVerifier as string),
    });
  });

  it('trades the code for a token and reads the profile', async () => {
    const { client, standIn } = await clientFor('google');
    standIn.profile = GOOGLE_PROFILE;
    const { code, codeVerifier } = authorize(client, standIn);
    expect(await client.profile(code, codeVerifier)).toEqual({
      providerId: GOOGLE_PROFILE.sub,
      email: 'ada@example.com',
      emailVerified: true,
      name: 'Ada',
      avatarUrl: 'https://lh3.example/ada.png',
    });
  });

  it('does not count an email Google has not verified', async () => {
    const { client, standIn } = await clientFor('google');
    standIn.profile = { ...GOOGLE_PROFILE, email_verified: false };
    const { code, codeVerifier } = authorize(client, standIn);
    expect(await client.profile(code, codeVerifier)).toMatchObject({ emailVerified: false });
  });

  it('fails with the wrong PKCE verifier, and with a code used before', async () => {
    const { client, standIn } = await clientFor('google');
    standIn.profile = GOOGLE_PROFILE;
    const { code, codeVerifier } = authorize(client, standIn);
    expect(await failureOf(client.profile(code, 'not-the-verifier'))).toBe('provider');
    const second = authorize(client, standIn);
    await client.profile(second.code, second.codeVerifier);
    expect(await failureOf(client.profile(second.code, second.codeVerifier))).toBe('provider');
    expect(codeVerifier).not.toBe(second.codeVerifier);
  });

  it('fails as unavailable when the provider errs or does not answer within the bound', async () => {
    const { client, standIn } = await clientFor('google', SHORT_TIMEOUT_MS);
    standIn.behaviour = 'fail';
    expect(await failureOf(client.profile(authorize(client, standIn).code, null))).toBe(
      'unavailable',
    );
    standIn.behaviour = 'hang';
    const started = performance.now();
    expect(await failureOf(client.profile('any', null))).toBe('unavailable');
    expect(performance.now() - started).toBeLessThan(SHORT_TIMEOUT_MS + 2000);
  });

  it('holds every call of one sign-in to a single deadline', async () => {
    const { client, standIn } = await clientFor('github', SHORT_TIMEOUT_MS);
    standIn.behaviour = 'hang-profile';
    const started = performance.now();
    expect(await failureOf(client.profile(authorize(client, standIn).code, null))).toBe(
      'unavailable',
    );
    expect(performance.now() - started).toBeLessThan(SHORT_TIMEOUT_MS + 2000);
  });

  it('ignores an email that is not a plain ASCII address', async () => {
    const { client, standIn } = await clientFor('google');
    standIn.profile = { ...GOOGLE_PROFILE, email: '\u212Aate@example.com' };
    const { code, codeVerifier } = authorize(client, standIn);
    expect(await client.profile(code, codeVerifier)).toMatchObject({
      email: null,
      emailVerified: false,
    });
  });

  it('refuses an oversized profile and one without a subject', async () => {
    const { client, standIn } = await clientFor('google');
    standIn.profile = GOOGLE_PROFILE;
    standIn.behaviour = 'oversize';
    const first = authorize(client, standIn);
    expect(await failureOf(client.profile(first.code, first.codeVerifier))).toBe('provider');
    standIn.behaviour = 'answer';
    standIn.profile = { email: 'ada@example.com', email_verified: true };
    const second = authorize(client, standIn);
    expect(await failureOf(client.profile(second.code, second.codeVerifier))).toBe('provider');
  });
});

describe('GitHub', () => {
  it('asks without PKCE, and takes the verified primary email from the emails API', async () => {
    const { client, standIn } = await clientFor('github');
    const { url, codeVerifier } = authorization(client);
    expect(codeVerifier).toBeNull();
    expect(new URL(url).searchParams.get('code_challenge')).toBeNull();
    standIn.profile = {
      id: 583231,
      login: 'octocat',
      name: null,
      avatar_url: 'https://a.example/o.png',
    };
    standIn.emails = [
      { email: 'old@example.com', primary: false, verified: true },
      { email: 'octo@example.com', primary: true, verified: true },
    ];
    expect(await client.profile(authorize(client, standIn).code, null)).toEqual({
      providerId: '583231',
      email: 'octo@example.com',
      emailVerified: true,
      name: 'octocat',
      avatarUrl: 'https://a.example/o.png',
    });
  });

  it('does not count an unverified primary email', async () => {
    const { client, standIn } = await clientFor('github');
    standIn.profile = { id: 583231, login: 'octocat' };
    standIn.emails = [{ email: 'octo@example.com', primary: true, verified: false }];
    expect(await client.profile(authorize(client, standIn).code, null)).toMatchObject({
      email: 'octo@example.com',
      emailVerified: false,
    });
  });

  it('fails on a bad code, which GitHub answers with 200 and an error', async () => {
    const { client } = await clientFor('github');
    expect(await failureOf(client.profile('never-issued', null))).toBe('provider');
  });
});
