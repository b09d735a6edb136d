// The admin pages (/admin), one lazily loaded chunk (web/src/main.tsx). The
// server answers their shell only through the admin gate (S28), so a browser
// that reaches them holds the admin's credentials.

export { AdminLayout } from './AdminLayout.js';
export { AdminAuditPage } from './AuditPage.js';
export { AdminStatusPage } from './StatusPage.js';
export { AdminUsersPage } from './UsersPage.js';
export { AdminWebhooksPage } from './WebhooksPage.js';
