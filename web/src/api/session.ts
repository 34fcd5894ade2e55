// The browser session: the access token lives in memory only; the refresh
// token is an HttpOnly, SameSite=Strict cookie the auth routes set when asked
// ("cookie": true), so no script can read it and no other site can use it.

/** Session is what the app knows of the signed-in user. */
export interface SessionState {
  accessToken: string;
  /** When the access token expires, ms since the epoch. */
  expiresAt: number;
}

let current: SessionState | null = null;
const listeners = new Set<() => void>();

/** accessToken is the token to send, or null when signed out. */
export function accessToken(): string | null {
  return current?.accessToken ?? null;
}

/** setSession records a new session (null: signed out) and tells listeners. */
export function setSession(s: SessionState | null): void {
  current = s;
  for (const l of listeners) l();
}

/** session returns the current session. */
export function session(): SessionState | null {
  return current;
}

/** onSessionChange calls fn after each change; it returns the unsubscriber. */
export function onSessionChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

interface SessionAnswer {
  access_token: string;
  expires_in: number;
}

function fromAnswer(a: SessionAnswer): SessionState {
  return { accessToken: a.access_token, expiresAt: Date.now() + a.expires_in * 1000 };
}

let refreshing: Promise<boolean> | null = null;

/**
 * refreshSession trades the refresh cookie for a new access token. Calls
 * made while one is running share it. It resolves false when the cookie is
 * missing or refused (the user must sign in).
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const res = await fetch('/v1/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: '{}',
      });
      if (!res.ok) {
        setSession(null);
        return false;
      }
      setSession(fromAnswer((await res.json()) as SessionAnswer));
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** sessionFromLogin records the answer of a cookie login. */
export function sessionFromLogin(a: SessionAnswer): void {
  setSession(fromAnswer(a));
}
