/**
 * The one error a route throws to answer a client error: an HTTP status and a
 * `detail` that is safe to show. The app's error handler renders it as
 * `{"detail": ...}`; anything else thrown becomes a generic 500.
 */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly statusCode: number,
    readonly detail: string,
    /** Response headers that belong to the error, such as Retry-After. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
  }
}
