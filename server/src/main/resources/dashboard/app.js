// The dashboard's root: login, navigation and a hash router over the page table (pages.js).
import { html, nothing } from 'lit';
import { login, loginEnroll, logout, session, verifyMfa, UNAUTHORIZED_EVENT } from './api/client.js';
import { me } from './api/users.js';
import { authConfig, ssoSession } from './api/sso.js';
import { alertCounts } from './api/alerts.js';
import { subscribe } from './api/events.js';
import { PAGES, allows, match } from './pages.js';
import { LightElement, Poller, errorBox } from './ui.js';

const WHO = { viewer: 'signed-in users', technician: 'technicians and administrators', admin: 'administrators' };

class GuruLogin extends LightElement {
  static properties = {
    notice: { type: String },
    error: { state: true },
    busy: { state: true },
    mfa: { state: true },
    enrollment: { state: true },
    recovery: { state: true },
    config: { state: true },
  };

  connectedCallback() {
    super.connectedCallback();
    // Which sign-in methods exist here (an SSO button, password login on or off).
    authConfig().then((config) => {
      this.config = config;
    });
  }

  ssoButton() {
    const c = this.config;
    if (!c?.sso) return nothing;
    return html`<a class="button primary sso" id="login-sso" href=${c.sso_login_url}>${c.sso_label}</a>`;
  }

  async submit(event) {
    event.preventDefault();
    const form = event.target;
    this.error = '';
    this.busy = true;
    try {
      const result = await login(form.email.value.trim(), form.password.value);
      if (result.mfa) {
        // MFA: a second step before there is a session (docs/OPERATIONS.md, "MFA").
        this.mfa = result.mfa;
        if (result.mfa.enrollmentRequired) this.enrollment = await loginEnroll(result.mfa.token);
        return;
      }
      this.dispatchEvent(new CustomEvent('logged-in', { detail: result, bubbles: true }));
    } catch (e) {
      this.error = e.message;
      form.password.value = '';
      form.password.focus();
    } finally {
      this.busy = false;
    }
  }

  async submitCode(event) {
    event.preventDefault();
    const form = event.target;
    this.error = '';
    this.busy = true;
    try {
      const body = await verifyMfa(this.mfa.token, form.code.value.trim());
      if (body.recovery_codes) {
        this.recovery = { codes: body.recovery_codes, user: body.user };
        return;
      }
      this.dispatchEvent(new CustomEvent('logged-in', { detail: body.user, bubbles: true }));
    } catch (e) {
      this.error = e.message;
      if (e.status === 401 && /unknown, used or expired/.test(e.message)) {
        this.mfa = null;
        this.enrollment = null;
      } else {
        form.code.value = '';
        form.code.focus();
      }
    } finally {
      this.busy = false;
    }
  }

  finishEnrolment() {
    this.dispatchEvent(new CustomEvent('logged-in', { detail: this.recovery.user, bubbles: true }));
  }

  render() {
    if (this.recovery) {
      return html`
        <main class="login">
          <section class="card login-card" aria-labelledby="login-title">
            <h1 id="login-title">MFA is on</h1>
            <p><strong>Store these recovery codes now: they are shown only once.</strong> Each signs you in once without the app.</p>
            <ul class="mono" id="login-recovery-codes">${this.recovery.codes.map((c) => html`<li>${c}</li>`)}</ul>
            <button type="button" class="primary" id="login-recovery-done" @click=${this.finishEnrolment}>I have stored them</button>
          </section>
        </main>`;
    }
    if (this.mfa) {
      return html`
        <main class="login">
          <form class="card login-card" id="login-mfa-form" @submit=${this.submitCode} aria-labelledby="login-title">
            <h1 id="login-title">${this.enrollment ? 'Set up MFA' : 'Two-step sign-in'}</h1>
            ${this.enrollment ? html`
              <p>Your role must use MFA. Scan this code with an authenticator app, or type the key in, then enter the code it shows.</p>
              <img id="login-mfa-qr" class="qr" src=${this.enrollment.qr_code} alt="QR code of the authenticator key">
              <p class="mono" id="login-mfa-secret">${this.enrollment.secret}</p>`
            : html`<p>Enter the 6-digit code of your authenticator app, or a recovery code.</p>`}
            <label>Code <input name="code" id="login-code" autocomplete="one-time-code" inputmode="numeric" required autofocus maxlength="20"></label>
            <div id="login-error">${errorBox(this.error)}</div>
            <button type="submit" class="primary" id="login-code-submit" ?disabled=${this.busy}>${this.busy ? 'Checking…' : 'Verify'}</button>
          </form>
        </main>`;
    }
    if (this.config && this.config.local_login === false) {
      return html`
        <main class="login">
          <section class="card login-card" aria-labelledby="login-title">
            <h1 id="login-title">GuruRMM</h1>
            ${this.notice ? html`<p class="notice" id="login-notice" role="status">${this.notice}</p>` : nothing}
            ${this.ssoButton()}
          </section>
        </main>`;
    }
    return html`
      <main class="login">
        <form class="card login-card" @submit=${this.submit} aria-labelledby="login-title">
          <h1 id="login-title">GuruRMM</h1>
          ${this.notice ? html`<p class="notice" id="login-notice" role="status">${this.notice}</p>` : nothing}
          <label>Email <input name="email" id="login-email" type="email" autocomplete="username" required autofocus></label>
          <label>Password <input name="password" id="login-password" type="password" autocomplete="current-password" required></label>
          <div id="login-error">${errorBox(this.error)}</div>
          <button type="submit" class="primary" ?disabled=${this.busy}>${this.busy ? 'Signing in…' : 'Sign in'}</button>
          ${this.ssoButton()}
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
    openAlerts: { state: true },
  };

  constructor() {
    super();
    // The navigation's open-alert count: re-read on every alert event, and every 10 s in case the stream is down.
    this.openAlerts = null;
    this.countPoller = new Poller(() => this.refreshCount(), 10_000);
    this.user = session.token ? session.user : null;
    this.route = match(location.hash);
    this.notice = '';
    this.loaded = new Set();
    this.loadError = '';
    this.onHash = () => {
      this.route = match(location.hash);
    };
    this.onUnauthorized = (event) => {
      this.stopCount();
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
    this.startCount();
    this.finishSso();
    // The stored role may be stale (or the token revoked): ask the server who we are.
    if (this.user) {
      me().then((me) => {
        session.saveUser(me);
        this.user = me;
      }, () => {});
    }
  }

  /** Back from the identity provider: `#sso=<handoff>` becomes a session, and leaves the URL (and history) at once. */
  finishSso() {
    if (location.hash.startsWith('#sso-error=')) {
      // The callback refused the login (bad state, token, role...): its message, shown as text.
      this.notice = `Single sign-on failed: ${decodeURIComponent(location.hash.slice(11)).slice(0, 500)}`;
      history.replaceState(null, '', `${location.pathname}#/agents`);
      this.route = match(location.hash);
      return;
    }
    if (!location.hash.startsWith('#sso=')) return;
    const handoff = decodeURIComponent(location.hash.slice(5));
    history.replaceState(null, '', `${location.pathname}#/agents`);
    this.route = match(location.hash);
    ssoSession(handoff).then((user) => {
      this.notice = '';
      this.user = user;
      this.startCount();
    }, (e) => {
      this.notice = `Single sign-on failed: ${e.message}`;
    });
  }

  startCount() {
    if (!this.user || this.unsubscribeAlerts) return;
    this.refreshCount();
    this.countPoller.start();
    this.unsubscribeAlerts = subscribe(['alert.changed'], () => this.refreshCount(), () => this.refreshCount());
  }

  stopCount() {
    this.countPoller.stop();
    this.unsubscribeAlerts?.();
    this.unsubscribeAlerts = null;
  }

  async refreshCount() {
    if (!this.user) return;
    try {
      const c = await alertCounts();
      this.openAlerts = c.open + c.acknowledged;
    } catch {
      // a failed count leaves the last one; the page itself reports errors
    }
  }

  disconnectedCallback() {
    this.stopCount();
    window.removeEventListener('hashchange', this.onHash);
    window.removeEventListener(UNAUTHORIZED_EVENT, this.onUnauthorized);
    super.disconnectedCallback();
  }

  loggedIn(event) {
    this.notice = '';
    this.user = event.detail;
    this.startCount();
  }

  logout() {
    this.stopCount();
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
    const count = href === '#/alerts' && this.openAlerts !== null
      ? html` <span class="badge nav-count" id="nav-alert-count" title="open and acknowledged alerts">${this.openAlerts}</span>` : nothing;
    return html`<a href=${href} aria-current=${active ? 'page' : 'false'}>${label}${count}</a>`;
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
