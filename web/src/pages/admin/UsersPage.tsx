// /admin/users: find accounts by email or name, and act on one: disable it
// (it cannot sign in and its sessions end), enable it, end its sessions, or
// change its role. Each action says what it did, or why it could not.
import { useState } from 'react';
import type { AdminUser } from '../../../../src/shared/api-types.js';
import { type UserAction, useAdminUsers, useUserAction } from '../../api/admin.js';
import { FormMessage, LoadError, messageOf, onSubmitWith, When } from './bits.js';

function who(user: AdminUser): string {
  return user.email ?? user.name ?? `user #${user.id}`;
}

/** What an action did, in a sentence. */
function doneText(action: UserAction, user: AdminUser, answer: unknown): string {
  switch (action.kind) {
    case 'disable':
      return `Disabled ${who(user)}; their sessions have ended.`;
    case 'enable':
      return `Enabled ${who(user)}; they can sign in again.`;
    case 'end-sessions': {
      const ended = (answer as { ended: number }).ended;
      return `Ended ${ended} session${ended === 1 ? '' : 's'} of ${who(user)}.`;
    }
    case 'role':
      return `${who(user)} is now ${action.role === 'admin' ? 'an admin' : 'a user'}.`;
  }
}

function UserRow({
  user,
  busy,
  onAction,
}: {
  user: AdminUser;
  busy: boolean;
  onAction: (action: UserAction, user: AdminUser) => void;
}) {
  const disabled = user.disabled_at !== null;
  return (
    <tr className={disabled ? 'row-disabled' : undefined}>
      <td className="numeric">{user.id}</td>
      <th scope="row">
        {user.email ?? <span className="muted">no email</span>}
        {user.email && !user.email_verified ? (
          <span className="item-meta">not verified</span>
        ) : null}
      </th>
      <td>{user.name ?? <span className="muted">–</span>}</td>
      <td>
        <label className="visually-hidden" htmlFor={`role-${user.id}`}>
          Role of {who(user)}
        </label>
        <select
          id={`role-${user.id}`}
          value={user.role}
          disabled={busy}
          onChange={(event) =>
            onAction(
              { kind: 'role', id: user.id, role: event.target.value as AdminUser['role'] },
              user,
            )
          }
        >
          <option value="user">user</option>
          <option value="admin">admin</option>
        </select>
      </td>
      <td>
        <When iso={user.created_at} />
      </td>
      <td>
        {disabled ? (
          <>
            Disabled
            <span className="item-meta">
              <When iso={user.disabled_at} />
            </span>
          </>
        ) : (
          'Active'
        )}
      </td>
      <td className="row-actions">
        <button
          type="button"
          className="button-quiet"
          disabled={busy}
          onClick={() => onAction({ kind: disabled ? 'enable' : 'disable', id: user.id }, user)}
          aria-label={`${disabled ? 'Enable' : 'Disable'} ${who(user)}`}
        >
          {disabled ? 'Enable' : 'Disable'}
        </button>
        <button
          type="button"
          className="button-quiet"
          disabled={busy}
          onClick={() => onAction({ kind: 'end-sessions', id: user.id }, user)}
          aria-label={`End sessions of ${who(user)}`}
        >
          End sessions
        </button>
      </td>
    </tr>
  );
}

export function AdminUsersPage() {
  const [draft, setDraft] = useState('');
  const [q, setQ] = useState('');
  const users = useAdminUsers(q);
  const action = useUserAction();
  const [outcome, setOutcome] = useState<{ text: string; kind: 'success' | 'error' } | null>(null);
  const rows = users.data?.pages.flatMap((page) => page.users) ?? [];

  const act = (next: UserAction, user: AdminUser) => {
    if (next.kind === 'disable' && !window.confirm(`Disable ${who(user)}? Their sessions end now.`))
      return;
    setOutcome(null);
    action.mutate(next, {
      onSuccess: (answer) => setOutcome({ text: doneText(next, user, answer), kind: 'success' }),
      onError: (error) => setOutcome({ text: messageOf(error), kind: 'error' }),
    });
  };

  return (
    <section aria-labelledby="users-heading" className="admin-section">
      <h2 id="users-heading">Users</h2>
      <form
        className="filters"
        aria-label="Search users"
        onSubmit={onSubmitWith(() => setQ(draft))}
      >
        <div className="field field-search">
          <label htmlFor="user-search">Email or name contains</label>
          <input
            id="user-search"
            type="search"
            value={draft}
            maxLength={254}
            onChange={(event) => setDraft(event.target.value)}
          />
        </div>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      <FormMessage outcome={outcome} />
      {users.isPending ? (
        <p className="table-note">Loading users…</p>
      ) : users.isError ? (
        <LoadError what="Users" error={users.error} />
      ) : rows.length === 0 ? (
        <p className="table-note">
          {q ? `No user's email or name contains “${q}”.` : 'No users yet.'}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="plain-table admin-table">
            <caption className="visually-hidden">Users, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((user) => (
                <UserRow key={user.id} user={user} busy={action.isPending} onAction={act} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {users.hasNextPage ? (
        <p className="table-more">
          <button
            type="button"
            className="button-quiet"
            disabled={users.isFetchingNextPage}
            onClick={() => users.fetchNextPage()}
          >
            {users.isFetchingNextPage ? 'Loading…' : 'Show more users'}
          </button>
        </p>
      ) : null}
    </section>
  );
}
