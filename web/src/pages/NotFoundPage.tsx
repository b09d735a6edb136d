import { Link } from 'react-router';

export function NotFoundPage({ what = 'page' }: { what?: string }) {
  return (
    <section className="not-found" aria-labelledby="not-found-title">
      <p className="not-found-code">404</p>
      <h1 id="not-found-title">No such {what}</h1>
      <p>The address may be mistyped, or what it pointed to is gone.</p>
      <p>
        <Link to="/" className="button-link">
          Back to the market
        </Link>
      </p>
    </section>
  );
}
