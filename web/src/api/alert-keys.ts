// The query keys of the alerts API, apart from its hooks (alerts.ts), so the
// app frame's notifications can refresh the history without the alerts
// page's code in the entry chunk.

export const ALERTS_KEY = ['alerts'] as const;
export const ALERT_RULES_KEY = [...ALERTS_KEY, 'rules'] as const;
export const ALERT_HISTORY_KEY = [...ALERTS_KEY, 'history'] as const;
export const ALERT_WEBHOOK_KEY = [...ALERTS_KEY, 'webhook'] as const;
