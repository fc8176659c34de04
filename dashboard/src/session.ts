/**
 * Signing in, staying signed in while in use, signing out. The organisation token is typed into
 * the sign-in form and sent once, in Authorization, to POST /api/v1/auth/session; the answer sets
 * the session cookie. The token is not kept anywhere afterwards.
 *
 * A session's token lives SESSION_TTL_SECONDS. While someone uses the dashboard (a key press, a
 * click, a touch since the last renewal) it is renewed when a third of its life is left; left
 * alone, it expires and the sign-in form comes back.
 */
import { ApiError, api, call, csrfToken, type Session } from "./api.js";

export async function signIn(organisationToken: string): Promise<Session> {
  const { session } = await call(api.POST("/api/v1/auth/session", { headers: { Authorization: `Bearer ${organisationToken.trim()}` } }), {
    signIn: true,
  });
  return session;
}

/** The current session, or null when there is none (no request is made without its cookie). */
export async function currentSession(): Promise<Session | null> {
  if (!csrfToken()) return null;
  try {
    return (await call(api.GET("/api/v1/auth/session"), { signIn: true })).session;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export async function signOut(): Promise<void> {
  await call(api.DELETE("/api/v1/auth/session"), { signIn: true }).catch((err: unknown) => {
    // Already over (expired, or signed out in another tab): nothing left to end.
    if (!(err instanceof ApiError && err.status === 401)) throw err;
  });
}

/**
 * Keeps `session` alive while the page is used; calls `onExpired` when it lapses. Returns a stop function.
 */
export function keepAlive(session: Session, onRenewed: (s: Session) => void, onExpired: (why: string) => void): () => void {
  let current = session;
  let issuedAt = Date.now();
  let lastActivity = Date.now();
  let renewing = false;
  const activity = () => (lastActivity = Date.now());
  const events = ["pointerdown", "keydown", "touchstart"] as const;
  for (const e of events) window.addEventListener(e, activity, { passive: true });

  const tick = async () => {
    const expires = Date.parse(current.expiresAt);
    const now = Date.now();
    if (now >= expires - 1000) {
      stop();
      onExpired("Your session expired. Sign in again to continue.");
      return;
    }
    const lifetime = expires - issuedAt;
    const canRenew = expires < Date.parse(current.maxExpiresAt);
    if (!renewing && canRenew && lastActivity > issuedAt && expires - now < lifetime / 3) {
      renewing = true;
      try {
        current = (await call(api.POST("/api/v1/auth/session/refresh"))).session;
        issuedAt = Date.now();
        onRenewed(current);
      } catch {
        // A 401 already signed us out (call() told the listeners); otherwise try again next tick.
      } finally {
        renewing = false;
      }
    }
  };
  const timer = window.setInterval(() => void tick(), 5_000);
  const stop = () => {
    window.clearInterval(timer);
    for (const e of events) window.removeEventListener(e, activity);
  };
  return stop;
}
