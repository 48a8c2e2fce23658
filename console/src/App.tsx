// The shell: asks /api/me who is logged in (the login page otherwise), then the navigation and the
// page of the route. To add a page: a component in pages/, an entry in PAGES (and in the README).
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError, get, post, setCsrf, whenUnauthenticated } from './api';
import { href, useRoute, type Route } from './router';
import { can, SessionContext } from './session';
import type { Role, Session } from './types';
import { Login } from './pages/Login';
import { OverviewPage } from './pages/Overview';
import { RunsPage } from './pages/Runs';
import { RunPage } from './pages/Run';
import { DeadLettersPage } from './pages/DeadLetters';
import { DeadLetterPage } from './pages/DeadLetter';
import { ResyncPage } from './pages/Resync';
import { FlowsPage } from './pages/Flows';
import { AuditPage } from './pages/Audit';
import { UsersPage } from './pages/Users';
import { DesignerPage } from './pages/Designer';
import { DesignerMapPage } from './pages/DesignerMap';
import { ErrorBoundary } from './components/ErrorBoundary';

interface Page { path: string; title: string; role: Role; nav: boolean; render: (r: Route) => ReactNode }
const PAGES: Page[] = [
  { path: '/', title: 'Overview', role: 'viewer', nav: true, render: () => <OverviewPage /> },
  { path: '/runs', title: 'Runs', role: 'viewer', nav: true, render: (r) => (r.parts[1] ? <RunPage id={r.parts[1]} /> : <RunsPage query={r.query} />) },
  { path: '/dead-letters', title: 'Dead letters', role: 'viewer', nav: true, render: (r) => (r.parts[1] ? <DeadLetterPage id={r.parts[1]} /> : <DeadLettersPage query={r.query} />) },
  { path: '/resync', title: 'Re-sync', role: 'operator', nav: true, render: () => <ResyncPage /> },
  { path: '/flows', title: 'Flows', role: 'viewer', nav: true, render: (r) => <FlowsPage selected={r.parts[1]} /> },
  { path: '/designer', title: 'Designer', role: 'viewer', nav: true, render: (r) => <DesignerPage query={r.query} /> },
  { path: '/audit', title: 'Audit', role: 'viewer', nav: true, render: () => <AuditPage /> },
  { path: '/users', title: 'Users', role: 'admin', nav: true, render: () => <UsersPage /> },
  { path: '/designer/map', title: 'Field mapper', role: 'viewer', nav: false, render: (r) => <DesignerMapPage query={r.query} /> },
];

function pageOf(r: Route): Page {
  const first = `/${r.parts[0] ?? ''}`;
  const two = `${first}/${r.parts[1] ?? ''}`; // a page of its own under another's first part: /designer/map
  return PAGES.find((p) => p.path === two) ?? PAGES.find((p) => p.path === first) ?? PAGES[0]!;
}

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const route = useRoute();

  const refresh = useCallback(async () => {
    try {
      const s = await get<Session>('/me');
      setCsrf(s.csrf);
      setSession(s);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setSession(null);
      else setSession(null);
    }
  }, []);
  useEffect(() => { whenUnauthenticated(() => setSession(null)); void refresh(); }, [refresh]);

  if (session === undefined) return <p className="loading" role="status">Loading…</p>;
  if (session === null) return <Login onLogin={(s) => { setCsrf(s.csrf); setSession(s); }} />;

  const page = pageOf(route);
  const logout = async () => { await post('/logout').catch(() => undefined); setCsrf(''); setSession(null); };
  return (
    <SessionContext.Provider value={session}>
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header className="top">
        <span className="brand">Connect</span>
        <nav aria-label="Main">
          <ul>
            {PAGES.filter((p) => p.nav && can(session, p.role)).map((p) => (
              <li key={p.path}><a href={href(p.path)} aria-current={p === page ? 'page' : undefined}>{p.title}</a></li>
            ))}
          </ul>
        </nav>
        <span className="who">{session.user.name} <span className="role">({session.user.role})</span></span>
        <button type="button" onClick={() => void logout()}>Log out</button>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorBoundary key={route.path}>
          {can(session, page.role) ? page.render(route) : <p role="alert" className="error">The {page.title} page needs the {page.role} role.</p>}
        </ErrorBoundary>
      </main>
    </SessionContext.Provider>
  );
}
