// S6: SESSION_SECRET must carry at least 32 bytes (256 bits) of entropy.
//
// Entropy cannot be measured from one sample, so this estimates it the way a
// reviewer would: the bits a string of this length could hold given the
// alphabet it was drawn from (hex, base64, or any printable character), and
// refuses anything whose characters are too few or too unevenly spread to be
// random (repeats, keyboard runs), or that reads like a placeholder. Every common generator passes: 64 hex characters
// (`openssl rand -hex 32`), 44 base64 characters (`openssl rand -base64 32`)
// and 43 base64url characters (32 bytes from `crypto.randomBytes`).

const REQUIRED_BITS = 256;
/** A random 64-character hex string averages about 3.8 bits per character. */
const MIN_SHANNON_BITS_PER_CHAR = 3.3;
/** A random 64-character hex string shows all 16 digits but for a vanishing chance. */
const MIN_DISTINCT_CHARS = 12;
const PLACEHOLDER_WORDS = [
  'changeme',
  'change-me',
  'change_me',
  'replace',
  'secret',
  'example',
  'placeholder',
  'password',
  'default',
  'your-',
  'xxxxxx',
];

const HEX = /^[0-9a-f]+$|^[0-9A-F]+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+=*$/;
const PRINTABLE_ASCII = 95;

/**
 * The alphabet a generator drew from: a random base64 string need not show
 * every character class, so the class is judged by the whole string.
 */
function alphabetSize(value: string): number {
  if (HEX.test(value)) return 16;
  if (BASE64.test(value)) return 64;
  return PRINTABLE_ASCII;
}

function shannonBitsPerChar(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** True when the whole value is one shorter chunk written again and again. */
function isRepeatedChunk(value: string): boolean {
  return /^(.+?)\1+$/s.test(value);
}

/** Returns why the value is too weak to be a session secret, or null when it is acceptable. */
export function sessionSecretProblem(value: string): string | null {
  const lower = value.toLowerCase();
  if (PLACEHOLDER_WORDS.some((word) => lower.includes(word))) {
    return 'looks like placeholder text';
  }
  const estimatedBits = value.length * Math.log2(alphabetSize(value));
  if (estimatedBits < REQUIRED_BITS) {
    return `too short: holds at most ${Math.floor(estimatedBits)} bits, needs ${REQUIRED_BITS}`;
  }
  if (isRepeatedChunk(value)) return 'is one chunk repeated';
  if (new Set(value).size < MIN_DISTINCT_CHARS) return 'uses too few distinct characters';
  if (shannonBitsPerChar(value) < MIN_SHANNON_BITS_PER_CHAR) {
    return 'characters are too unevenly spread to be random';
  }
  return null;
}
