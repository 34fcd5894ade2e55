import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, type Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { onSessionChange, refreshSession, session, sessionFromLogin, setSession } from '../api/session';

/** Me is who is signed in: the API's /v1/me. */
export type Me = Schemas['IdentityMe'];

interface AuthValue {
  /** loading until the refresh cookie has been tried at start. */
  status: 'loading' | 'signed-out' | 'signed-in';
  me: Me | null;
  signIn(email: string, password: string): Promise<void>;
  signOut(everywhere?: boolean): Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

/** useAuth gives the session and the sign-in and sign-out actions. */
export function useAuth(): AuthValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}

async function loadMe(): Promise<Me> {
  return unwrap(await api.GET('/v1/me'));
}

/** AuthProvider restores the session from the refresh cookie and keeps the access token fresh. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [status, setStatus] = useState<AuthValue['status']>('loading');
  const [me, setMe] = useState<Me | null>(null);

  useEffect(() => {
    let cancelled = false;
    refreshSession().then(async (ok) => {
      if (cancelled) return;
      if (!ok) {
        setStatus('signed-out');
        return;
      }
      try {
        const m = await loadMe();
        if (!cancelled) {
          setMe(m);
          setStatus('signed-in');
        }
      } catch {
        if (!cancelled) setStatus('signed-out');
      }
    });
    return () => {
      cancelled = true;
    };
  }, []);

  // Refresh a minute before the access token expires; a refused refresh signs out.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      clearTimeout(timer);
      const s = session();
      if (!s) {
        setMe(null);
        setStatus((st) => (st === 'loading' ? st : 'signed-out'));
        return;
      }
      const wait = Math.max(5_000, s.expiresAt - Date.now() - 60_000);
      timer = setTimeout(() => void refreshSession(), wait);
    };
    const off = onSessionChange(schedule);
    return () => {
      off();
      clearTimeout(timer);
    };
  }, []);

  const signIn = useCallback(async (email: string, password: string) => {
    const res = await api.POST('/v1/auth/login', {
      body: { email, password, cookie: true },
      credentials: 'same-origin',
    });
    sessionFromLogin(unwrap(res));
    const m = await loadMe();
    setMe(m);
    setStatus('signed-in');
  }, []);

  const signOut = useCallback(
    async (everywhere = false) => {
      try {
        if (everywhere) await api.POST('/v1/me/logout-all', { credentials: 'same-origin' });
        else await api.POST('/v1/auth/logout', { body: {}, credentials: 'same-origin' });
      } finally {
        setSession(null);
        setMe(null);
        setStatus('signed-out');
        qc.clear();
      }
    },
    [qc],
  );

  const value = useMemo(() => ({ status, me, signIn, signOut }), [status, me, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
