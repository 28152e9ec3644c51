// Shared pieces of the automation pages: the parameter syntax of the create form, the run
// form built from a script's typed parameters, and the target picker (agents, a site, a client).
import { html, nothing } from 'lit';

/** "name:type[:required][=default]" per line (choice: "mode:choice/fast|safe"), as the CLI's --param. */
export function parseParameters(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const eq = line.indexOf('=');
    const head = eq >= 0 ? line.slice(0, eq) : line;
    const def = eq >= 0 ? line.slice(eq + 1) : undefined;
    const [name, rawType = 'string', flag] = head.split(':');
    let type = rawType;
    let options;
    if (type.startsWith('choice/')) {
      options = type.slice('choice/'.length).split('|');
      type = 'choice';
    }
    const p = { name, type, required: flag === 'required' };
    if (options) p.options = options;
    if (def !== undefined) p.default = typed(type, def);
    return p;
  });
}

export const formatParameters = (params) => (params ?? []).map((p) => `${p.name}:${p.type === 'choice' ? `choice/${(p.options ?? []).join('|')}` : p.type}`
  + `${p.required ? ':required' : ''}${p.default !== undefined && p.default !== null ? `=${p.default}` : ''}`).join('\n');

/** A form value typed for its parameter; text that does not parse is sent as is (the server names the problem). */
export function typed(type, value) {
  if (type === 'number' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** One input per parameter, named param-<name>. */
export function parameterInputs(params) {
  return (params ?? []).map((p) => {
    const id = `param-${p.name}`;
    const label = `${p.name}${p.required ? ' *' : ''} (${p.type})`;
    if (p.type === 'boolean') {
      return html`<label>${label} <select name=${id} id=${id}><option value="">default${p.default !== undefined && p.default !== null ? ` (${p.default})` : ''}</option>
        <option value="true">true</option><option value="false">false</option></select></label>`;
    }
    if (p.type === 'choice') {
      return html`<label>${label} <select name=${id} id=${id}>${p.required && p.default == null ? nothing : html`<option value="">default${p.default != null ? ` (${p.default})` : ''}</option>`}
        ${(p.options ?? []).map((o) => html`<option value=${o}>${o}</option>`)}</select></label>`;
    }
    if (p.type === 'string') {
      return html`<label class="wide">${label} <textarea name=${id} id=${id} rows="2" placeholder=${p.default ?? ''}></textarea></label>`;
    }
    return html`<label>${label} <input name=${id} id=${id} placeholder=${p.default ?? ''}></label>`;
  });
}

/** The values of the inputs above: empty ones are left out (the default applies). */
export function parameterValues(form, params) {
  const values = {};
  for (const p of params ?? []) {
    const v = form[`param-${p.name}`]?.value ?? '';
    if (v !== '') values[p.name] = typed(p.type, v);
  }
  return values;
}

/** Target fields: a site, a client, or agent ids (comma-separated); returns the body part. */
export function targetInputs(sites, clients) {
  return html`<label>Target <select name="target-kind" id="target-kind">
      <option value="site">site</option><option value="client">client</option><option value="agents">agent ids</option></select></label>
    <label>Site <select name="target-site" id="target-site">${(sites ?? []).map((s) => html`<option value=${s.id}>${s.client_name ? `${s.client_name} / ` : ''}${s.name}</option>`)}</select></label>
    <label>Client <select name="target-client" id="target-client">${(clients ?? []).map((c) => html`<option value=${c.id}>${c.name}</option>`)}</select></label>
    <label>Agent ids <input name="target-agents" id="target-agents" placeholder="uuid, uuid"></label>`;
}

export function targetBody(form) {
  const kind = form['target-kind'].value;
  if (kind === 'agents') return { agent_ids: form['target-agents'].value.split(',').map((s) => s.trim()).filter(Boolean) };
  if (kind === 'client') return { filter: { client_id: form['target-client'].value } };
  return { filter: { site_id: form['target-site'].value } };
}
