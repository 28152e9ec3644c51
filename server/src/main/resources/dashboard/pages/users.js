// Users: create and list (admin only).
import { html, nothing } from 'lit';
import { createUser, listUsers } from '../api/users.js';
import { LightElement, badge, errorBox, formatTime } from '../ui.js';
import { ListPage, optionalInt } from './list-page.js';

class GuruUsers extends ListPage {
  static properties = {
    message: { state: true },
  };

  constructor() {
    super(listUsers);
    this.message = '';
  }

  async create(event) {
    event.preventDefault();
    const f = event.target;
    this.message = '';
    const user = await this.change(() => createUser({ email: f.email.value.trim(), password: f.password.value, role: f.role.value }));
    if (user) {
      this.message = `Created ${user.email} (${user.role}).`;
      f.reset();
    }
  }

  render() {
    return html`
      <section class="card">
        <h1>Users</h1>
        <form id="user-form" class="row" @submit=${this.create}>
          <label>Email <input name="email" id="user-email" type="email" required autocomplete="off"></label>
          <label>Password <input name="password" id="user-password" type="password" required autocomplete="new-password"></label>
          <label>Role <select name="role" id="user-role">
            <option value="viewer">viewer (read only)</option>
            <option value="technician" selected>technician (runs commands)</option>
            <option value="admin">admin</option>
          </select></label>
          <button type="submit" class="primary">Create user</button>
        </form>
        ${errorBox(this.error)}
        ${this.message ? html`<p class="notice" role="status">${this.message}</p>` : nothing}
      </section>
      <section class="card">
        <h2>All users</h2>
        ${this.items === null ? html`<p class="muted">Loading…</p>` : html`
        <table id="users-table">
          <thead><tr><th scope="col">Email</th><th scope="col">Role</th></tr></thead>
          <tbody>${this.items.map((u) => html`<tr><td>${u.email}</td><td>${u.role}</td></tr>`)}</tbody>
        </table>`}
      </section>`;
  }
}
customElements.define('guru-users', GuruUsers);
