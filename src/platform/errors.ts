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
  ) {
    super(detail);
  }
}
