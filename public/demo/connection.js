// A native-protocol client (docs/relay-protocol.md): authenticates with the `bearer.<JWT>`
// subprotocol, joins one conversation, resumes after the last event id when the relay asks it to
// reconnect (1012 restart, 4008 slow consumer) or the connection drops, and registers again when the
// token expires (4001).

export const PROTOCOL = 'aa-relay.v1';
const RECONNECT_CODES = new Set([1001, 1006, 1011, 1012, 1013, 4008]);
const TOKEN_EXPIRED = 4001;
const MAX_BACKOFF_MS = 10_000;

/**
 * Opens and keeps a connection. `getToken(renew)` resolves to a JWT (a fresh one when `renew`);
 * the callbacks receive `event` frames (each id once), status changes and relay errors.
 */
export class RelayConnection {
  constructor({ url, getToken, onEvent, onStatus, onError }) {
    Object.assign(this, { url, getToken, onEvent, onStatus, onError });
    this.ws = undefined;
    this.conversation = undefined;
    this.lastId = undefined;
    this.seen = new Set();
    this.attempt = 0;
    this.ref = 0;
    this.timer = undefined;
  }

  /** Joins `conversation` (leaving the previous one), connecting first when needed. */
  async join(conversation) {
    if (conversation !== this.conversation) {
      if (this.conversation && this.isOpen()) this.send({ type: 'leave', conversation: this.conversation, ref: `leave-${++this.ref}` });
      this.conversation = conversation;
      this.lastId = undefined;
      this.seen.clear();
    }
    if (this.isOpen()) this.sendJoin();
    else await this.connect(false);
  }

  isOpen() {
    return this.ws?.readyState === WebSocket.OPEN && this.greeted;
  }

  send(frame) {
    this.ws.send(JSON.stringify(frame));
  }

  sendJoin() {
    this.status('joining', `Joining ${this.conversation}`);
    this.send({ type: 'join', conversation: this.conversation, after: this.lastId, ref: `join-${++this.ref}` });
  }

  status(state, text) {
    this.onStatus?.(state, text);
  }

  async connect(renewToken) {
    clearTimeout(this.timer);
    this.status('connecting', this.attempt ? `Reconnecting (attempt ${this.attempt + 1})` : 'Connecting');
    let token;
    try {
      token = await this.getToken(renewToken);
    } catch (error) {
      this.status('error', `Registration failed: ${error.message}`);
      return;
    }
    const ws = new WebSocket(this.url, [PROTOCOL, `bearer.${token}`]);
    this.ws = ws;
    this.greeted = false;
    ws.addEventListener('message', (message) => this.receive(ws, message.data));
    ws.addEventListener('close', (close) => this.closed(ws, close.code, close.reason));
  }

  receive(ws, raw) {
    if (ws !== this.ws) return;
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    switch (frame.type) {
      case 'hello':
        this.greeted = true;
        if (this.conversation) this.sendJoin();
        else this.status('connected', 'Connected');
        return;
      case 'joined':
        this.attempt = 0;
        this.status('joined', `Joined ${frame.conversation}${frame.replayed ? ` (${frame.replayed} replayed)` : ''}`);
        return;
      case 'event':
        if (this.seen.has(frame.id)) return;
        this.seen.add(frame.id);
        this.lastId = frame.id;
        this.onEvent?.(frame);
        return;
      case 'error':
        this.onError?.(frame);
        return;
      default:
    }
  }

  closed(ws, code, reason) {
    if (ws !== this.ws) return;
    this.ws = undefined;
    this.greeted = false;
    if (code === TOKEN_EXPIRED) {
      this.status('connecting', 'Token expired: registering again');
      void this.connect(true);
    } else if (RECONNECT_CODES.has(code)) {
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
      this.attempt += 1;
      this.status('reconnecting', `Connection closed (${code}${reason ? `: ${reason}` : ''}); reconnecting in ${(delay / 1000).toFixed(1)} s`);
      this.timer = setTimeout(() => void this.connect(false), delay);
    } else {
      this.status('closed', `Connection closed (${code}${reason ? `: ${reason}` : ''})`);
    }
  }
}
