// The dashboard's root: login, navigation and a hash router over the page table (pages.js).
import { html, nothing } from 'lit';
import { login, logout, session, UNAUTHORIZED_EVENT } from './api/client.js';
import { me } from './api/users.js';
import { PAGES, allows, match } from './pages.js';
import { LightElement, errorBox } from './ui.js';

const WHO = { viewer: 'signed-in users', technician: 'technicians and administrators', admin: 'administrators' };

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
    this.route = match(location.hash);
    this.notice = '';
    this.loaded = new Set();
    this.loadError = '';
    this.onHash = () => {
      this.route = match(location.hash);
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
      me().then((me) => {
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

  /** Imports a page's module the first time it is shown, then renders again. */
  ensureLoaded(page) {
    if (this.loaded.has(page.tag) || customElements.get(page.tag)) return true;
    this.loaded.add(page.tag);
    page.load().then(() => this.requestUpdate(), (e) => {
      this.loaded.delete(page.tag);
      this.loadError = `The page could not be loaded (${e.message}).`;
      this.requestUpdate();
    });
    return false;
  }

  page() {
    const route = this.route;
    if (!route) return html`<section class="card">${errorBox('No such page.')}</section>`;
    const { page, params } = route;
    if (!allows(this.user, page.role)) {
      return html`<section class="card"><h1>Not available</h1>${errorBox(`This page is for ${WHO[page.role]}; your role is ${this.user.role}.`)}</section>`;
    }
    if (!this.ensureLoaded(page)) {
      return this.loadError ? html`<section class="card">${errorBox(this.loadError)}</section>` : html`<p class="boot">Loading…</p>`;
    }
    // The element is made from the page table's tag (never from the URL) and kept while the
    // page stays the same, so #/agents/a → #/agents/b only changes its properties.
    if (this.current?.localName !== page.tag) this.current = document.createElement(page.tag);
    Object.assign(this.current, params, { user: this.user });
    return this.current;
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
          ${PAGES.filter((p) => p.nav && allows(this.user, p.role)).map((p) =>
            this.navLink(`#/${p.path}`, p.nav, r?.page === p || (p.path === 'agents' && r?.page.path.startsWith('agents/'))))}
        </nav>
        <span class="who" id="who">${this.user.email} <span class="role">${this.user.role}</span></span>
        <button type="button" class="link" id="logout" @click=${this.logout}>Sign out</button>
      </header>
      <main id="main">${this.page()}</main>`;
  }
}
customElements.define('guru-app', GuruApp);
