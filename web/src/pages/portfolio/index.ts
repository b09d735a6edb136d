// The portfolio page, one lazily loaded chunk (web/src/main.tsx).
export { PortfolioPage } from './PortfolioPage.js';
