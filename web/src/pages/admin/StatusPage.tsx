// /admin: whether the database and the store answer, and each price
// provider's last ingestion cycle (GET /admin/api/status and /ingestion),
// asked again every ten seconds while the page is open.
import type { AdminStatus, Ingestion } from '../../../../src/shared/api-types.js';
import { useAdminStatus, useIngestion } from '../../api/admin.js';
import { SimulatedBadge } from '../../components/bits.js';
import { sourceName } from '../../format.js';
import { count, LoadError, When } from './bits.js';

function Service({
  name,
  state,
  latencyMs,
  note,
}: {
  name: string;
  state: 'up' | 'down';
  latencyMs: number | null;
  note?: string;
}) {
  return (
    <div className="stat">
      <dt>{name}</dt>
      <dd className="stat-value">
        <span className={`service-state service-${state}`}>{state === 'up' ? 'Up' : 'Down'}</span>
      </dd>
      <dd className="item-meta">
        {latencyMs === null ? 'did not answer' : `answered in ${latencyMs} ms`}
        {note ? ` · ${note}` : ''}
      </dd>
    </div>
  );
}

function Services({ status }: { status: AdminStatus }) {
  return (
    <dl className="stats admin-services">
      <Service
        name="Database"
        state={status.database.state}
        latencyMs={status.database.latency_ms}
      />
      <Service
        name="Store"
        state={status.store.state}
        latencyMs={status.store.latency_ms}
        note={status.store.kind === 'redis' ? 'Redis' : 'in-process (one instance only)'}
      />
    </dl>
  );
}

type Provider = Ingestion['providers'][number];

function stateText(provider: Provider): string {
  if (provider.state === 'not_run_yet') return 'Not run yet';
  if (provider.state === 'failing') return 'Failing';
  return provider.stale ? 'Stale' : 'OK';
}

function Pace({ pace }: { pace: Provider['pace'] }) {
  if (!pace) return <span className="muted">–</span>;
  return (
    <>
      {pace.requests_per_minute.toFixed(1)} requests a minute
      {pace.rate_limited_last_cycle > 0 ? (
        <span className="item-meta">
          {count.format(pace.rate_limited_last_cycle)} rate-limited last cycle
        </span>
      ) : null}
    </>
  );
}

function ProviderRow({ provider }: { provider: Provider }) {
  const state = stateText(provider);
  return (
    <tr>
      <th scope="row">
        {sourceName(provider.source)} {provider.simulated ? <SimulatedBadge /> : null}
      </th>
      <td>
        <span className={`service-state service-${state === 'OK' ? 'up' : 'down'}`}>{state}</span>
      </td>
      <td>
        <When iso={provider.last_success_at} none="never" />
      </td>
      <td className="admin-error-cell">
        {provider.last_error ? (
          <>
            {provider.last_error.message}
            <span className="item-meta">
              <When iso={provider.last_error.at} />
            </span>
          </>
        ) : (
          <span className="muted">none</span>
        )}
      </td>
      <td className="numeric">
        {provider.rows_last_cycle === null ? '–' : count.format(provider.rows_last_cycle)}
      </td>
      <td className="numeric">
        {provider.items_last_cycle === null ? '–' : count.format(provider.items_last_cycle)}
        {provider.catalog_items !== null ? (
          <span className="item-meta">of {count.format(provider.catalog_items)}</span>
        ) : null}
      </td>
      <td className="numeric">
        {provider.stale_items === null ? '–' : count.format(provider.stale_items)}
      </td>
      <td className="numeric">
        {provider.cycle_duration_ms === null
          ? '–'
          : `${(provider.cycle_duration_ms / 1000).toFixed(1)} s`}
      </td>
      <td>
        <Pace pace={provider.pace} />
      </td>
    </tr>
  );
}

function IngestionTable({ ingestion }: { ingestion: Ingestion }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls sideways on a phone must be reachable by keyboard (axe: scrollable-region-focusable).
    <section className="table-wrap" aria-label="Ingestion, scrollable" tabIndex={0}>
      <table className="plain-table admin-table">
        <caption className="visually-hidden">Ingestion per provider</caption>
        <thead>
          <tr>
            <th scope="col">Provider</th>
            <th scope="col">State</th>
            <th scope="col">Last success</th>
            <th scope="col">Last error</th>
            <th scope="col">Rows last cycle</th>
            <th scope="col">Items priced</th>
            <th scope="col">Stale items</th>
            <th scope="col">Duration</th>
            <th scope="col">Pace</th>
          </tr>
        </thead>
        <tbody>
          {ingestion.providers.map((provider) => (
            <ProviderRow key={provider.source} provider={provider} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function AdminStatusPage() {
  const status = useAdminStatus();
  const ingestion = useIngestion();
  return (
    <>
      <section aria-labelledby="services-heading" className="admin-section">
        <h2 id="services-heading">Services</h2>
        {status.isPending ? (
          <p className="table-note">Asking the database and the store…</p>
        ) : status.isError ? (
          <LoadError what="The status" error={status.error} />
        ) : (
          <Services status={status.data} />
        )}
      </section>
      <section aria-labelledby="ingestion-heading" className="admin-section">
        <h2 id="ingestion-heading">Ingestion</h2>
        <p className="card-note">
          Each provider's last cycle. Stale items are catalog items it did not price in that cycle;
          a provider is stale when no cycle was recorded within the stale bound.
        </p>
        {ingestion.isPending ? (
          <p className="table-note">Loading…</p>
        ) : ingestion.isError ? (
          <LoadError what="Ingestion" error={ingestion.error} />
        ) : ingestion.data.providers.length === 0 ? (
          <p className="table-note">No market providers are configured.</p>
        ) : (
          <IngestionTable ingestion={ingestion.data} />
        )}
      </section>
    </>
  );
}
