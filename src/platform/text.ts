// Text that every backend stores as it was given (S38). PostgreSQL and
// PGlite refuse U+0000 in text and jsonb, so a NUL would fail the query; an
// unpaired surrogate is not Unicode, and every UTF-8 encoder on the way
// (the database driver, the password hasher, Redis) replaces it with U+FFFD,
// so two different strings would become one (two passwords, one hash).

/** False when `text` holds U+0000 or an unpaired surrogate. */
export function isStorableText(text: string): boolean {
  return text.isWellFormed() && !text.includes('\0');
}
