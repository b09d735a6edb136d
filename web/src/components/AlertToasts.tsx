// The signed-in user's notifications as they arrive over the live feed, in
// every page of the app: a toast each (its title, its sentence, a link to
// the item or to the alerts page), read out politely, dismissible, gone by
// itself after TOAST_MS unless the pointer or the focus is on it. Each one
// also refetches the alert history and the rules (a rule that fired waits
// to re-arm). Mount it for a signed-in user only: listening opens the socket.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { Notification } from '../../../src/shared/live-feed.js';
import { ALERT_HISTORY_KEY, ALERT_RULES_KEY } from '../api/alert-keys.js';
import { useNotifications } from '../api/live.js';

export const TOAST_MS = 10_000;
/** The most toasts on screen; an older one gives way to a new one. */
const MAX_TOASTS = 4;

function Toast({ notification, onDismiss }: { notification: Notification; onDismiss: () => void }) {
  const [held, setHeld] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (held) return;
    const timer = setTimeout(onDismiss, TOAST_MS);
    return () => clearTimeout(timer);
  }, [held, onDismiss]);
  // Held while the pointer or the focus is on it, so it does not go while being read.
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const hold = () => setHeld(true);
    const release = (event: Event) => {
      const next = (event as FocusEvent).relatedTarget;
      if (!(next instanceof Node && element.contains(next))) setHeld(false);
    };
    const events: [string, EventListener][] = [
      ['pointerenter', hold],
      ['pointerleave', () => setHeld(element.contains(document.activeElement))],
      ['focusin', hold],
      ['focusout', release],
    ];
    for (const [name, listener] of events) element.addEventListener(name, listener);
    return () => {
      for (const [name, listener] of events) element.removeEventListener(name, listener);
    };
  }, []);
  return (
    <div className="toast" ref={box}>
      <p className="toast-title">{notification.title}</p>
      <p className="toast-message">{notification.message}</p>
      <p className="toast-links">
        {notification.item_id !== null ? (
          <Link to={`/items/${notification.item_id}`} onClick={onDismiss}>
            See the item
          </Link>
        ) : null}
        <Link to="/alerts" onClick={onDismiss}>
          Your alerts
        </Link>
      </p>
      <button type="button" className="toast-close" onClick={onDismiss}>
        <span aria-hidden="true">×</span>
        <span className="visually-hidden">Dismiss: {notification.title}</span>
      </button>
    </div>
  );
}

export function AlertToasts() {
  const client = useQueryClient();
  const [shown, setShown] = useState<readonly Notification[]>([]);
  useNotifications((notification) => {
    setShown((current) =>
      current.some((known) => known.id === notification.id)
        ? current
        : [...current, notification].slice(-MAX_TOASTS),
    );
    void client.invalidateQueries({ queryKey: ALERT_HISTORY_KEY });
    void client.invalidateQueries({ queryKey: ALERT_RULES_KEY });
  });
  const [dismissers] = useState(() => new Map<string, () => void>());
  const dismisser = (id: string) => {
    let dismiss = dismissers.get(id);
    if (!dismiss) {
      dismiss = () => {
        dismissers.delete(id);
        setShown((current) => current.filter((known) => known.id !== id));
      };
      dismissers.set(id, dismiss);
    }
    return dismiss;
  };
  return (
    <section className="toasts" aria-label="Notifications" role="status" aria-live="polite">
      {shown.map((notification) => (
        <Toast
          key={notification.id}
          notification={notification}
          onDismiss={dismisser(notification.id)}
        />
      ))}
    </section>
  );
}
