// The passwords attackers try first (S11): the 49,000-entry list shipped with
// zxcvbn-ts, compared case-insensitively, since "Password123" is no harder
// to guess than "password123". Built on first use, not at import.
import { dictionary } from '@zxcvbn-ts/language-common';

let common: ReadonlySet<string> | null = null;

function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase()));
  return common;
}

export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.toLowerCase());
}

export function commonPasswordCount(): number {
  return commonPasswords().size;
}
