// The watchlist page, one lazily loaded chunk (web/src/main.tsx).
export { WatchlistPage } from './WatchlistPage.js';
