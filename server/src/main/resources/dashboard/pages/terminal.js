// A terminal on an agent: xterm.js (from the xterm webjar, served by this server) on the tunnel's WebSocket.
// Binary frames carry the terminal's bytes both ways, text frames JSON control messages (docs/PROTOCOL.md, "Tunnel").
// The page counts the output bytes it has written to the screen and acknowledges them (the agent may only run a
// window ahead), and when the socket drops it reattaches with that count, so nothing is lost or shown twice.
import { html } from 'lit';
import { getAgent } from '../api/agents.js';
import { closeTunnel, openTunnel, tunnelSocketUrl, tunnelTicket } from '../api/tunnel.js';
import { LightElement, errorBox } from '../ui.js';

const ACK_EVERY = 32 * 1024;
const REATTACH_FOR_MS = 60_000;

let xtermLoaded = null;

/** xterm 4.9 is UMD, not an ES module: load it once as a classic script (CSP allows 'self') and take window.Terminal. */
function loadXterm() {
  if (!xtermLoaded) {
    xtermLoaded = new Promise((resolve, reject) => {
      const css = document.createElement('link');
      css.rel = 'stylesheet';
      css.href = import.meta.resolve('xterm/css/xterm.css');
      document.head.append(css);
      const script = document.createElement('script');
      script.src = import.meta.resolve('xterm');
      script.onload = () => (window.Terminal ? resolve(window.Terminal) : reject(new Error('xterm did not load')));
      script.onerror = () => reject(new Error('xterm could not be loaded from the server'));
      document.head.append(script);
    });
  }
  return xtermLoaded;
}

class GuruTerminal extends LightElement {
  static properties = {
    agentId: { type: String },
    user: { attribute: false },
    hostname: { state: true },
    status: { state: true },
    error: { state: true },
  };

  constructor() {
    super();
    this.status = 'starting';
    this.error = '';
    this.hostname = '';
    this.received = 0; // output bytes written to the screen: the offset we reattach at
    this.acked = 0;
    this.ended = false;
  }

  connectedCallback() {
    super.connectedCallback();
    this.start();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    // Leaving the page ends the shell: nobody could reattach to it from here.
    this.ended = true;
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'close', reason: 'terminal page closed' }));
    this.socket?.close();
    this.term?.dispose();
  }

  async start() {
    try {
      const [Terminal, agent] = await Promise.all([loadXterm(), getAgent(this.agentId)]);
      this.hostname = agent.hostname;
      await this.updateComplete;
      const box = this.querySelector('#terminal-screen');
      const { cols, rows } = this.fit(box);
      this.term = new Terminal({ cols, rows, cursorBlink: true, scrollback: 5000, fontFamily: 'monospace' });
      this.term.open(box);
      const session = await openTunnel(this.agentId, cols, rows);
      this.sessionId = session.session_id;
      this.path = session.websocket_path;
      this.dataset.sessionId = this.sessionId;
      const encoder = new TextEncoder();
      this.term.onData((data) => this.sendBytes(encoder.encode(data)));
      this.term.onBinary((data) => this.sendBytes(Uint8Array.from(data, (c) => c.charCodeAt(0))));
      this.term.onResize(({ cols: c, rows: r }) => this.control({ type: 'resize', cols: c, rows: r }));
      this.onWindowResize = () => {
        const size = this.fit(box);
        if (size.cols !== this.term.cols || size.rows !== this.term.rows) this.term.resize(size.cols, size.rows);
      };
      window.addEventListener('resize', this.onWindowResize);
      this.connect(session.ticket);
      this.term.focus();
    } catch (e) {
      this.status = 'failed';
      this.error = e.message;
    }
  }

  /** Columns and rows that fit the box, measured with the terminal font. */
  fit(box) {
    const probe = document.createElement('span');
    probe.style.fontFamily = 'monospace';
    probe.style.visibility = 'hidden';
    probe.textContent = 'MMMMMMMMMM';
    box.append(probe);
    const w = probe.getBoundingClientRect().width / 10 || 9;
    const h = probe.getBoundingClientRect().height || 17;
    probe.remove();
    const cols = Math.max(20, Math.min(300, Math.floor((box.clientWidth || 900) / w) - 1));
    const rows = Math.max(8, Math.min(100, Math.floor((box.clientHeight || 480) / h)));
    return { cols, rows };
  }

  connect(ticket) {
    const ws = new WebSocket(tunnelSocketUrl(this.path, ticket));
    ws.binaryType = 'arraybuffer';
    this.socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'attach', last_seq: this.received }));
    ws.onmessage = (event) => {
      if (typeof event.data === 'string') {
        this.onControl(JSON.parse(event.data));
        return;
      }
      const bytes = new Uint8Array(event.data);
      this.term.write(bytes, () => {
        this.received += bytes.length;
        this.dataset.received = String(this.received);
        if (this.received - this.acked >= ACK_EVERY) this.ack();
        else if (!this.ackTimer) this.ackTimer = setTimeout(() => this.ack(), 50);
      });
    };
    ws.onclose = () => {
      if (this.socket === ws && !this.ended) this.reattach();
    };
  }

  ack() {
    clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (this.received > this.acked) {
      this.acked = this.received;
      this.control({ type: 'ack', seq: this.received });
    }
  }

  onControl(message) {
    if (message.type === 'attached') {
      this.status = 'connected';
      this.reattachSince = 0;
    } else if (message.type === 'exit') {
      this.ended = true;
      this.status = 'ended';
      this.exitCode = message.code;
      this.term.write(`\r\n\x1b[2m[session ended${message.code === null || message.code === undefined ? '' : ` with status ${message.code}`}`
        + `${message.reason ? `: ${message.reason}` : ''}]\x1b[0m\r\n`);
    } else if (message.type === 'error') {
      this.term.write(`\r\n\x1b[31m[${message.message}]\x1b[0m\r\n`);
    }
  }

  /** The socket dropped: get a new ticket and attach again at the byte we got to, for up to a minute. */
  async reattach() {
    this.status = 'reconnecting';
    this.reattachSince ||= Date.now();
    while (!this.ended && Date.now() - this.reattachSince < REATTACH_FOR_MS) {
      await new Promise((r) => setTimeout(r, 1000));
      try {
        const { ticket } = await tunnelTicket(this.sessionId);
        this.connect(ticket);
        return;
      } catch (e) {
        if (e.status === 403 || e.status === 404 || e.status === 410) {
          this.ended = true;
          this.status = 'ended';
          this.error = e.message;
          return;
        }
      }
    }
    if (!this.ended) {
      this.status = 'lost';
      this.error = 'The connection to the shell could not be re-established.';
    }
  }

  sendBytes(bytes) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(bytes);
  }

  control(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  async end() {
    this.ended = true;
    try {
      if (this.sessionId) await closeTunnel(this.sessionId);
    } catch {
      // already ended
    }
    this.status = 'ended';
    this.socket?.close();
  }

  render() {
    return html`
      <p><a href="#/agents/${encodeURIComponent(this.agentId)}">← ${this.hostname || 'Agent'}</a></p>
      <div class="page-head"><h1>Terminal ${this.hostname ? html`on <span id="terminal-host">${this.hostname}</span>` : ''}</h1>
        <span class="badge" id="terminal-status" data-status=${this.status}>${this.status}</span>
        <button type="button" class="danger" id="terminal-end" ?disabled=${this.status === 'ended'} @click=${() => this.end()}>End session</button>
      </div>
      ${errorBox(this.error)}
      <div id="terminal-screen" class="terminal-screen"></div>
      <p class="muted">Every key goes to the remote shell. The session is recorded and audited; leaving this page ends it.</p>`;
  }
}

customElements.define('guru-terminal', GuruTerminal);
