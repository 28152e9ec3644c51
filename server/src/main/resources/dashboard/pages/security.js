// Security: the signed-in user's MFA (enrol with a QR code, recovery codes shown once, turn off),
// the admin's MFA policy, and the server's TLS certificate fingerprint (docs/OPERATIONS.md, "MFA", "TLS").
import { html, nothing } from 'lit';
import { confirmTotp, disableTotp, enrollTotp, mfaPolicy, mfaStatus, setMfaPolicy, tlsInfo } from '../api/mfa.js';
import { LightElement, errorBox, formatTime, isAdmin } from '../ui.js';

const ROLES = ['admin', 'technician', 'viewer'];

class GuruSecurity extends LightElement {
  static properties = {
    user: { attribute: false },
    status: { state: true },
    enrollment: { state: true },
    recovery: { state: true },
    policy: { state: true },
    tls: { state: true },
    error: { state: true },
    notice: { state: true },
  };

  constructor() {
    super();
    this.error = '';
    this.notice = '';
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load() {
    try {
      this.status = await mfaStatus();
      this.tls = await tlsInfo();
      if (isAdmin(this.user)) this.policy = await mfaPolicy();
    } catch (e) {
      this.error = e.message;
    }
  }

  async run(action) {
    this.error = '';
    this.notice = '';
    try {
      return await action();
    } catch (e) {
      this.error = e.message;
      return undefined;
    }
  }

  async startEnrolment(event) {
    event.preventDefault();
    this.recovery = null;
    const password = event.target.password.value;
    event.target.password.value = '';
    this.enrollment = await this.run(() => enrollTotp(password));
  }

  async confirm(event) {
    event.preventDefault();
    const f = event.target;
    const result = await this.run(() => confirmTotp(f.code.value.trim()));
    if (result) {
      // The server keeps only hashes: this is the one time the codes can be seen.
      this.recovery = result.recovery_codes;
      this.enrollment = null;
      await this.load();
    } else {
      f.code.value = '';
    }
  }

  async disable(event) {
    event.preventDefault();
    const f = event.target;
    const done = await this.run(async () => {
      await disableTotp(f.password.value, f.code.value.trim());
      return true;
    });
    f.reset();
    if (done) {
      this.notice = 'MFA is off.';
      await this.load();
    }
  }

  async savePolicy(event) {
    event.preventDefault();
    const f = event.target;
    const roles = ROLES.filter((r) => f[`mfa-role-${r}`].checked);
    const saved = await this.run(() => setMfaPolicy(roles));
    if (saved) {
      this.policy = saved;
      this.notice = roles.length ? `MFA is now required for: ${roles.join(', ')}.` : 'MFA is optional for every role.';
    }
  }

  mfaSection() {
    const s = this.status;
    if (!s) return html`<p class="muted">Loading…</p>`;
    if (this.recovery) {
      return html`
        <div class="new-token" id="mfa-recovery" role="status">
          <p><strong>MFA is on. Store these recovery codes now: they are shown only once.</strong>
            Each signs you in once when the authenticator app is not at hand.</p>
          <ul class="mono" id="mfa-recovery-codes">${this.recovery.map((c) => html`<li>${c}</li>`)}</ul>
          <button type="button" class="link" id="mfa-recovery-done" @click=${() => { this.recovery = null; }}>Done</button>
        </div>`;
    }
    if (this.enrollment) {
      return html`
        <p>Scan this code with an authenticator app (or type the key in), then enter the 6-digit code it shows.</p>
        <img id="mfa-qr" class="qr" src=${this.enrollment.qr_code} alt="QR code of the authenticator key">
        <p>Key: <code class="mono" id="mfa-secret">${this.enrollment.secret}</code></p>
        <form class="row" id="mfa-confirm-form" @submit=${this.confirm}>
          <label>Code <input name="code" id="mfa-code" autocomplete="one-time-code" inputmode="numeric" required maxlength="6"></label>
          <button type="submit" class="primary" id="mfa-confirm">Turn MFA on</button>
        </form>`;
    }
    if (s.totp_enabled) {
      return html`
        <p id="mfa-state">MFA is <strong>on</strong> (authenticator app). Recovery codes left: ${s.recovery_codes_left}.</p>
        ${s.required_for_role ? html`<p class="muted">Your role must use MFA, so it cannot be turned off.</p>` : html`
          <form class="row" id="mfa-disable-form" @submit=${this.disable}>
            <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
            <label>Code <input name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength="6"></label>
            <button type="submit" id="mfa-disable">Turn MFA off</button>
          </form>`}`;
    }
    return html`
      <p id="mfa-state">MFA is <strong>off</strong>. With it on, signing in also needs a code from an authenticator app.</p>
      <form class="row" id="mfa-enroll-form" @submit=${this.startEnrolment}>
        <label>Password <input name="password" id="mfa-enroll-password" type="password" autocomplete="current-password" required></label>
        <button type="submit" class="primary" id="mfa-enroll">Set up MFA</button>
      </form>`;
  }

  policySection() {
    if (!isAdmin(this.user) || !this.policy) return nothing;
    const required = new Set(this.policy.required_roles);
    return html`
      <section class="card">
        <h2>MFA policy</h2>
        <p class="muted">Users of a checked role must use MFA: without it they set it up at their next sign-in, and their open sessions end.</p>
        <form class="row" id="mfa-policy-form" @submit=${this.savePolicy}>
          ${ROLES.map((r) => html`<label><input type="checkbox" name=${`mfa-role-${r}`} id=${`mfa-role-${r}`} ?checked=${required.has(r)}> ${r}</label>`)}
          <button type="submit" id="mfa-policy-save">Save</button>
        </form>
      </section>`;
  }

  tlsSection() {
    const t = this.tls;
    if (!t) return nothing;
    return html`
      <section class="card" id="tls">
        <h2>Server certificate</h2>
        ${t.enabled ? html`
          <p>HTTPS${t.self_signed ? ' with a self-signed certificate' : ''}; valid until ${formatTime(t.not_after)}.</p>
          <p>SHA-256 fingerprint (agents pin it with <code>GURURMM_SERVER_FINGERPRINT</code>, the CLI with <code>--fingerprint</code>):</p>
          <code class="mono" id="tls-fingerprint">${t.fingerprint_sha256}</code>`
        : html`<p id="tls-fingerprint">This server speaks plain HTTP (no TLS settings). Use HTTPS across a network.</p>`}
      </section>`;
  }

  render() {
    return html`
      <section class="card">
        <h1>Security</h1>
        ${this.notice ? html`<p class="notice" id="security-notice" role="status">${this.notice}</p>` : nothing}
        <div id="security-error">${errorBox(this.error)}</div>
        <h2>Two-step sign-in (MFA)</h2>
        ${this.mfaSection()}
      </section>
      ${this.policySection()}
      ${this.tlsSection()}`;
  }
}
customElements.define('guru-security', GuruSecurity);
