// The web app's entry: the router with its pages, the query client, the
// stylesheet. The item and index pages draw charts, so they load on demand
// with lightweight-charts; the market table never waits for it. The
// portfolio page is its own chunk too, and loads its chart only to draw it,
// and so are the watchlist page and the admin pages.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { queryDefaults } from './api/queries.js';
import { Layout } from './components/Layout.js';
import { MarketPage } from './pages/MarketPage.js';
import { MoversPage } from './pages/MoversPage.js';
import { NotFoundPage } from './pages/NotFoundPage.js';
import './styles.css';

/** The account pages, one lazily loaded chunk; the paths are src/web/pages.ts's. */
const ACCOUNT_ROUTES = (
  [
    ['sign-in', 'SignInPage'],
    ['login', 'SignInPage'],
    ['sign-up', 'SignUpPage'],
    ['verify-email', 'VerifyEmailPage'],
    ['forgot-password', 'ForgotPasswordPage'],
    ['reset-password', 'ResetPasswordPage'],
    ['magic-link', 'MagicLinkPage'],
    ['account', 'AccountPage'],
  ] as const
).map(([path, page]) => ({
  path,
  lazy: async () => ({ Component: (await import('./pages/account/index.js'))[page] }),
}));

/** The admin pages, one lazily loaded chunk; the server serves them only through the admin gate. */
const ADMIN_ROUTES = (
  [
    [undefined, 'AdminStatusPage'],
    ['users', 'AdminUsersPage'],
    ['audit', 'AdminAuditPage'],
    ['webhooks', 'AdminWebhooksPage'],
  ] as const
).map(([path, page]) => ({
  ...(path ? { path } : { index: true as const }),
  lazy: async () => ({ Component: (await import('./pages/admin/index.js'))[page] }),
}));

const router = createBrowserRouter([
  {
    element: <Layout />,
    // Shown while a lazily loaded page (a chart page) arrives on a first visit.
    hydrateFallbackElement: <p className="table-note">Loading…</p>,
    children: [
      { index: true, element: <MarketPage /> },
      {
        path: 'items/:id',
        lazy: async () => ({ Component: (await import('./pages/ItemPage.js')).ItemPage }),
      },
      { path: 'movers', element: <MoversPage /> },
      {
        path: 'portfolio',
        lazy: async () => ({
          Component: (await import('./pages/portfolio/index.js')).PortfolioPage,
        }),
      },
      {
        path: 'watchlist',
        lazy: async () => ({
          Component: (await import('./pages/watchlist/index.js')).WatchlistPage,
        }),
      },
      ...ACCOUNT_ROUTES,
      {
        path: 'admin',
        lazy: async () => ({ Component: (await import('./pages/admin/index.js')).AdminLayout }),
        children: ADMIN_ROUTES,
      },
      {
        path: 'alerts',
        lazy: async () => ({ Component: (await import('./pages/alerts/index.js')).AlertsPage }),
      },
      {
        path: 'index',
        lazy: async () => ({ Component: (await import('./pages/IndexPage.js')).IndexPage }),
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

const queryClient = new QueryClient();
queryDefaults(queryClient);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
