// Where password sign-in sends the user (`?next=`): only to a page of this
// site. Browsers strip tab, CR and LF from a URL and read `\` as `/`, so the
// tests feed what URLSearchParams decodes from the query string.
import { describe, expect, it } from 'vitest';
import { pageAfterSignInFrom } from '../../web/src/pages/account/after-sign-in.js';

const ORIGIN = 'https://tracera.example';
/** As the page reads it: `?next=` decoded by URLSearchParams. */
const pageFor = (query: string) =>
  pageAfterSignInFrom(new URLSearchParams(query).get('next'), ORIGIN);

describe('the page after password sign-in', () => {
  it('returns to a page of this site with its query and hash', () => {
    expect(pageFor('next=/items/12')).toBe('/items/12');
    expect(pageFor('next=%2Fitems%2F12%3Fsource%3Dsteam%23chart')).toBe(
      '/items/12?source=steam#chart',
    );
    expect(pageFor('next=/movers?window=24h')).toBe('/movers?window=24h');
  });

  it('opens the account page without a next page', () => {
    expect(pageFor('')).toBe('/account');
    expect(pageFor('next=')).toBe('/account');
  });

  it.each([
    ['a tab', 'next=/%09/evil.com'],
    ['a line feed', 'next=/%0A/evil.com'],
    ['a carriage return', 'next=/%0D%5Cevil.com'],
    ['a tab after a slash pair', 'next=%2F%2F%09evil.com'],
    ['a backslash', 'next=/%5Cevil.com'],
    ['two slashes', 'next=//evil.com'],
    ['a dot segment that leaves two slashes', 'next=/.//evil.com'],
    ['a parent segment that leaves two slashes', 'next=/a/..//evil.com'],
    ['another scheme and host', 'next=https://evil.com/'],
    ['a script URL', 'next=javascript:alert(1)'],
    ['a relative path', 'next=evil.com'],
  ])('refuses %s', (_, query) => {
    expect(pageFor(query)).toBe('/account');
  });
});
