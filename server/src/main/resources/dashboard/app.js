// The dashboard's root: login, navigation and a hash router (#/agents, #/agents/<id>, #/admin/...).
import { html, nothing } from 'lit';
import { api, login, logout, session, UNAUTHORIZED_EVENT } from './api.js';
import { LightElement, errorBox, isAdmin } from './ui.js';
import './fleet.js';
import './agent.js';
import './admin.js';

const ADMIN_PAGES = [
  ['tokens', 'Enrollment tokens'],
  ['releases', 'Releases'],
  ['users', 'Users'],
  ['audit', 'Audit log'],
];

function parseRoute(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'agents' && parts[1]) return { name: 'agent', id: parts[1] };
  if (parts[0] === 'admin' && parts[1]) return { name: 'admin', page: parts[1] };
  return { name: 'fleet' };
}

class GuruLogin extends LightElement {
  static properties = {
    notice: { type: String },
    error: { state: true },
    busy: { state: true },
  };

  async submit(event) {
    event.preventDefault();
    const form = event.target;
    this.error = '';
    this.busy = true;
    try {
      const user = await login(form.email.value.trim(), form.password.value);
      this.dispatchEvent(new CustomEvent('logged-in', { detail: user, bubbles: true }));
    } catch (e) {
      this.error = e.message;
      form.password.value = '';
      form.password.focus();
    } finally {
      this.busy = false;
    }
  }

  render() {
    return html`
      <main class="login">
        <form class="card login-card" @submit=${this.submit} aria-labelledby="login-title">
          <h1 id="login-title">GuruRMM</h1>
          ${this.notice ? html`<p class="notice" id="login-notice" role="status">${this.notice}</p>` : nothing}
          <label>Email <input name="email" id="login-email" type="email" autocomplete="username" required autofocus></label>
          <label>Password <input name="password" id="login-password" type="password" autocomplete="current-password" required></label>
          <div id="login-error">${errorBox(this.error)}</div>
          <button type="submit" class="primary" ?disabled=${this.busy}>${this.busy ? 'Signing in…' : 'Sign in'}</button>
        </form>
      </main>`;
  }
}
customElements.define('guru-login', GuruLogin);

class GuruApp extends LightElement {
  static properties = {
    user: { state: true },
    route: { state: true },
    notice: { state: true },
  };

  constructor() {
    super();
    this.user = session.token ? session.user : null;
    this.route = parseRoute(location.hash);
    this.notice = '';
    this.onHash = () => {
      this.route = parseRoute(location.hash);
    };
    this.onUnauthorized = (event) => {
      this.user = null;
      this.notice = event.detail;
    };
  }

  connectedCallback() {
    // Drop the static "Loading…" placeholder: lit renders into light DOM and would append after it.
    this.querySelectorAll(':scope > .boot').forEach((el) => el.remove());
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    window.addEventListener(UNAUTHORIZED_EVENT, this.onUnauthorized);
    // The stored role may be stale (or the token revoked): ask the server who we are.
    if (this.user) {
      api('GET', '/api/auth/me').then((me) => {
        session.saveUser(me);
        this.user = me;
      }, () => {});
    }
  }

  disconnectedCallback() {
    window.removeEventListener('hashchange', this.onHash);
    window.removeEventListener(UNAUTHORIZED_EVENT, this.onUnauthorized);
    super.disconnectedCallback();
  }

  loggedIn(event) {
    this.notice = '';
    this.user = event.detail;
  }

  logout() {
    logout();
    this.user = null;
    this.notice = 'You have signed out.';
  }

  page() {
    const route = this.route;
    if (route.name === 'agent') return html`<guru-agent .agentId=${route.id} .user=${this.user}></guru-agent>`;
    if (route.name === 'admin') {
      if (!isAdmin(this.user)) {
        return html`<section class="card"><h1>Not available</h1>${errorBox('This page is for administrators; your role is ' + this.user.role + '.')}</section>`;
      }
      switch (route.page) {
        case 'tokens': return html`<guru-tokens></guru-tokens>`;
        case 'releases': return html`<guru-releases></guru-releases>`;
        case 'users': return html`<guru-users></guru-users>`;
        case 'audit': return html`<guru-audit></guru-audit>`;
        default: return html`<section class="card">${errorBox('No such page.')}</section>`;
      }
    }
    return html`<guru-fleet></guru-fleet>`;
  }

  navLink(href, label, active) {
    return html`<a href=${href} aria-current=${active ? 'page' : 'false'}>${label}</a>`;
  }

  render() {
    if (!this.user) {
      return html`<guru-login .notice=${this.notice} @logged-in=${this.loggedIn}></guru-login>`;
    }
    const r = this.route;
    return html`
      <header class="topbar">
        <a class="brand" href="#/agents">GuruRMM</a>
        <nav aria-label="Main" id="main-nav">
          ${this.navLink('#/agents', 'Fleet', r.name !== 'admin')}
          ${isAdmin(this.user) ? ADMIN_PAGES.map(([page, label]) =>
            this.navLink(`#/admin/${page}`, label, r.name === 'admin' && r.page === page)) : nothing}
        </nav>
        <span class="who" id="who">${this.user.email} <span class="role">${this.user.role}</span></span>
        <button type="button" class="link" id="logout" @click=${this.logout}>Sign out</button>
      </header>
      <main id="main">${this.page()}</main>`;
  }
}
customElements.define('guru-app', GuruApp);
