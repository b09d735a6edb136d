// Importing the Steam inventory: a call to link Steam when it is not, else
// the import button, its progress while it runs (polled from
// GET /portfolio/import about once a second, read out by a live region),
// the cooldown until the next import, and the last import. Every refusal is
// shown in the server's own words.
import { useRef } from 'react';
import type { ImportResult, ImportStatus } from '../../../../src/shared/api-types.js';
import { useImportInventory, useImportStatus } from '../../api/portfolio.js';
import { useNow } from '../../clock.js';
import { messageOf, When, whenText } from './bits.js';

/** Linking Steam returns here; the account page does the same for itself. */
export const LINK_STEAM_URL = '/api/v1/auth/steam?return_to=/portfolio';

const count = new Intl.NumberFormat('en-US');

function progressText(status: ImportStatus | undefined): string {
  const progress = status?.progress;
  if (!progress) return 'Importing your Steam inventory…';
  const assets =
    progress.total !== null
      ? `${count.format(progress.assets)} of ${count.format(progress.total)} items`
      : `${count.format(progress.assets)} items`;
  const pages = progress.pages === 1 ? '1 page' : `${count.format(progress.pages)} pages`;
  return `Importing your Steam inventory: ${pages}, ${assets} read so far…`;
}

function resultText(result: ImportResult): string {
  const { import: summary } = result;
  const parts = [
    `Imported ${count.format(summary.assets)} items from ${summary.pages === 1 ? '1 page' : `${summary.pages} pages`}`,
    `${count.format(summary.matched)} matched the catalog`,
  ];
  if (summary.unmatched > 0)
    parts.push(`${count.format(summary.unmatched)} did not (listed below)`);
  if (summary.without_description > 0) {
    parts.push(
      `${count.format(summary.without_description)} came without a description from Steam`,
    );
  }
  return `${parts.join(', ')}.`;
}

/** "4 min" or "35 s": how long until `until`. */
function waitText(until: string, now: number): string {
  const seconds = Math.max(0, Math.ceil((Date.parse(until) - now) / 1000));
  return seconds >= 60 ? `${Math.ceil(seconds / 60)} min` : `${seconds} s`;
}

export function ImportPanel() {
  const importing = useImportInventory();
  const status = useImportStatus(true, importing.isPending);
  const now = useNow(1_000);
  const button = useRef<HTMLButtonElement>(null);
  const state = status.data;
  const running = importing.isPending || Boolean(state?.running);
  const cooldownUntil = importing.data?.cooldown_until ?? state?.cooldown_until ?? null;
  const coolingDown = cooldownUntil !== null && Date.parse(cooldownUntil) > now;
  const lastImport = importing.data?.import ?? state?.last_import ?? null;

  if (!state) {
    return (
      <section className="card" aria-labelledby="import-heading">
        <h2 id="import-heading">Steam inventory</h2>
        <p className="table-note" role="status">
          {status.isError ? messageOf(status.error) : 'Checking your Steam link…'}
        </p>
      </section>
    );
  }

  if (!state.steam_linked) {
    return (
      <section className="card import-panel" aria-labelledby="import-heading">
        <h2 id="import-heading">Steam inventory</h2>
        <p>
          Link your Steam account to import your CS2 inventory: Tracera reads it from Steam (it must
          be public), matches each item to the catalog and values it.
        </p>
        <p>
          <a className="button-link" href={LINK_STEAM_URL}>
            Link your Steam account
          </a>
        </p>
        <p className="muted">
          Items held elsewhere, or no Steam at all? Add holdings by hand below.
        </p>
      </section>
    );
  }

  return (
    <section className="card import-panel" aria-labelledby="import-heading">
      <div className="card-head">
        <h2 id="import-heading">Steam inventory</h2>
        <button
          ref={button}
          type="button"
          className="button"
          disabled={running || coolingDown}
          aria-describedby="import-when"
          onClick={() => {
            importing.mutate(undefined, { onSettled: () => button.current?.focus() });
            void status.refetch();
          }}
        >
          {running ? 'Importing…' : 'Import from Steam'}
        </button>
      </div>
      <p id="import-when" className="card-note">
        {lastImport ? (
          <>
            Last import <When iso={lastImport.imported_at} />: {count.format(lastImport.assets)}{' '}
            items. Importing replaces the holdings from Steam; your ledger stays.
          </>
        ) : (
          'Not imported yet. Importing reads your public Steam inventory and replaces the holdings from Steam; your ledger stays.'
        )}
        {coolingDown && cooldownUntil && !running ? (
          <>
            {' '}
            Next import in {waitText(cooldownUntil, now)}, at {whenText(cooldownUntil)}.
          </>
        ) : null}
      </p>
      <p className="import-progress" role="status" aria-live="polite">
        {running ? progressText(state) : importing.isSuccess ? resultText(importing.data) : ''}
      </p>
      {importing.isError ? (
        <p className="form-message form-message-error" role="alert">
          Import failed: {messageOf(importing.error)}
        </p>
      ) : null}
    </section>
  );
}
