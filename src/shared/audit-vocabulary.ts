// The audit trail's event names, shared by the server (which records and
// filters them) and the admin pages (whose filter offers them).

/** Every event the trail records, for the admin API's filter. */
export const AUDIT_EVENT_NAMES = [
  'signup',
  'email_verification',
  'login',
  'logout',
  'profile_update',
  'password_change',
  'password_reset_request',
  'password_reset',
  'magic_link_request',
  'magic_link_login',
  'session_revocation',
  'provider_link',
  'provider_unlink',
  'portfolio_import',
  'admin_access',
] as const;

export type AuditEventName = (typeof AUDIT_EVENT_NAMES)[number];
