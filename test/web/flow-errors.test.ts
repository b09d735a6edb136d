// What the sign-in page says for `?error=`: the code comes from the address
// bar, so names an object holds of its own (`__proto__`, `constructor`)
// must read as any unknown code, not crash the page.
import { describe, expect, it } from 'vitest';
import { flowErrorText } from '../../web/src/pages/account/flow-errors.js';

const UNKNOWN = 'Signing in did not complete. Please try again.';

describe('the sign-in page error text', () => {
  it('words a code the API sends', () => {
    expect(flowErrorText('rate_limited')).toBe(
      'Too many attempts from your network. Please wait a minute and try again.',
    );
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'nonsense'])(
    'says signing in did not complete for %s',
    (code) => {
      expect(flowErrorText(code)).toBe(UNKNOWN);
    },
  );
});
