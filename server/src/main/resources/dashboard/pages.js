// The page table: every page of the dashboard, in navigation order. A page is
//   path   — the hash route, segments starting with ':' are parameters (#/agents/:id);
//   role   — the least role that may open it (viewer < technician < admin); the server enforces
//            the same on every API call, so this only keeps people from pages that would fail;
//   nav    — the label in the navigation, or null for pages reached by a link (an agent);
//   tag    — the custom element that renders it; route parameters become its properties;
//   load   — the module that defines the element, imported the first time the page is opened.
// Adding a page is one row here and one file in pages/.
export const PAGES = [
  { path: 'agents', role: 'viewer', nav: 'Fleet', tag: 'guru-fleet', load: () => import('./pages/fleet.js') },
  { path: 'agents/:agentId', role: 'viewer', nav: null, tag: 'guru-agent', load: () => import('./pages/agent.js') },
  { path: 'agents/:agentId/inventory', role: 'viewer', nav: null, tag: 'guru-agent-inventory', load: () => import('./pages/agent-inventory.js') },
  { path: 'alerts', role: 'viewer', nav: 'Alerts', tag: 'guru-alerts', load: () => import('./pages/alerts.js') },
  { path: 'agents/:agentId/alerts', role: 'viewer', nav: null, tag: 'guru-alerts', load: () => import('./pages/alerts.js') },
  { path: 'checks', role: 'viewer', nav: 'Checks', tag: 'guru-checks', load: () => import('./pages/checks.js') },
  { path: 'inventory', role: 'viewer', nav: 'Inventory', tag: 'guru-inventory-search', load: () => import('./pages/inventory-search.js') },
  { path: 'scripts', role: 'viewer', nav: 'Scripts', tag: 'guru-scripts', load: () => import('./pages/scripts.js') },
  { path: 'schedules', role: 'viewer', nav: 'Schedules', tag: 'guru-schedules', load: () => import('./pages/schedules.js') },
  { path: 'policies', role: 'viewer', nav: 'Policies', tag: 'guru-policies', load: () => import('./pages/policies.js') },
  { path: 'security', role: 'viewer', nav: 'Security', tag: 'guru-security', load: () => import('./pages/security.js') },
  { path: 'agents/:agentId/terminal', role: 'technician', nav: null, tag: 'guru-terminal', load: () => import('./pages/terminal.js') },
  { path: 'admin/tokens', role: 'admin', nav: 'Enrollment tokens', tag: 'guru-tokens', load: () => import('./pages/tokens.js') },
  { path: 'admin/releases', role: 'admin', nav: 'Releases', tag: 'guru-releases', load: () => import('./pages/releases.js') },
  { path: 'admin/builds', role: 'admin', nav: 'Builds', tag: 'guru-builds', load: () => import('./pages/builds.js') },
  { path: 'admin/notifications', role: 'admin', nav: 'Notifications', tag: 'guru-notifications', load: () => import('./pages/notifications.js') },
  { path: 'admin/users', role: 'admin', nav: 'Users', tag: 'guru-users', load: () => import('./pages/users.js') },
  { path: 'admin/audit', role: 'admin', nav: 'Audit log', tag: 'guru-audit', load: () => import('./pages/audit.js') },
  { path: 'api-keys', role: 'viewer', nav: 'API keys', tag: 'guru-api-keys', load: () => import('./pages/api-keys.js') },
];

/** The page shown for an empty or unknown hash. */
export const HOME = 'agents';

const RANK = { viewer: 0, technician: 1, admin: 2 };

/** True when `user`'s role is at least `role`. */
export const allows = (user, role) => (RANK[user?.role] ?? -1) >= RANK[role];

/** Matches a hash (`#/agents/abc`) to `{ page, params }`, or null when no page has that path. */
export function match(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return match(`#/${HOME}`);
  for (const page of PAGES) {
    const pattern = page.path.split('/');
    if (pattern.length !== parts.length) continue;
    const params = {};
    const ok = pattern.every((p, i) => {
      if (p.startsWith(':')) {
        params[p.slice(1)] = parts[i];
        return true;
      }
      return p === parts[i];
    });
    if (ok) return { page, params };
  }
  return null;
}
