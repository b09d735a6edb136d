// The frame of the admin pages: a heading, the tabs between them, and what
// signing out of admin means, since basic auth has no sign-out button.
import { NavLink, Outlet } from 'react-router';
import './admin.css';

const TABS = [
  { to: '/admin', label: 'Status', end: true },
  { to: '/admin/users', label: 'Users', end: false },
  { to: '/admin/audit', label: 'Audit log', end: false },
  { to: '/admin/webhooks', label: 'Webhooks', end: false },
] as const;

export function AdminLayout() {
  return (
    <div className="admin-page">
      <div className="page-title">
        <div>
          <h1>Admin</h1>
          <p className="lede">
            Accounts, the audit trail, ingestion and the services Tracera runs on.
          </p>
        </div>
        <p className="card-note admin-session-note">
          Signed in with the admin credentials; close the browser to sign out.
        </p>
      </div>
      <nav aria-label="Admin" className="admin-tabs">
        {TABS.map((tab) => (
          <NavLink key={tab.to} to={tab.to} end={tab.end} className="admin-tab">
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </div>
  );
}
