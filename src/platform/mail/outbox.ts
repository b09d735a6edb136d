// Reads back the outbox the outbox mailer writes, for `tracera mail` and for
// tests. File names start with a fixed-width UTC time, so sorting names is
// sorting by time, and only the newest `limit` files are parsed. Links come
// from the decoded text body: the raw file may fold a long URL across lines
// (quoted-printable soft line breaks), the decoded text never does.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type AddressObject, simpleParser } from 'mailparser';

export interface OutboxMessage {
  /** Path of the .eml file. */
  readonly file: string;
  readonly date: Date;
  readonly to: string;
  readonly subject: string;
  /** http(s) URLs in the text body, in order of appearance, each once. */
  readonly links: string[];
}

const OUTBOX_EXTENSION = '.eml';
const URL_PATTERN = /https?:\/\/[^\s<>"]+/g;
/** Punctuation that ends the sentence around a link rather than the link itself. */
const TRAILING_PUNCTUATION = /[.,;:!?)]+$/;

/** The http(s) links in a text body, in order, each once, without the sentence punctuation around them. */
export function linksIn(text: string): string[] {
  const links = (text.match(URL_PATTERN) ?? []).map((link) =>
    link.replace(TRAILING_PUNCTUATION, ''),
  );
  return [...new Set(links)];
}

function addressText(to: AddressObject | AddressObject[] | undefined): string {
  const groups = Array.isArray(to) ? to : to ? [to] : [];
  return groups.map((group) => group.text).join(', ');
}

async function fileNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function readMessage(file: string): Promise<OutboxMessage> {
  const parsed = await simpleParser(await readFile(file));
  return {
    file,
    // A message without a Date header is dated by when it was written.
    date: parsed.date ?? (await stat(file)).mtime,
    to: addressText(parsed.to),
    subject: parsed.subject ?? '',
    links: linksIn(parsed.text ?? ''),
  };
}

/** The newest `limit` messages in `dir`, newest first; none when the folder does not exist. */
export async function readOutbox(dir: string, limit: number): Promise<OutboxMessage[]> {
  const newest = (await fileNames(dir))
    .filter((name) => name.endsWith(OUTBOX_EXTENSION))
    .sort()
    .reverse()
    .slice(0, limit);
  return Promise.all(newest.map((name) => readMessage(join(dir, name))));
}
