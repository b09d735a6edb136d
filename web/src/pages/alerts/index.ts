// The alerts page, one lazily loaded chunk (web/src/main.tsx).
export { AlertsPage } from './AlertsPage.js';
