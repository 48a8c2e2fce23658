// Who is logged in, and what their role lets the UI offer. The server checks every action anyway.
import { createContext, useContext } from 'react';
import type { Role, Session } from './types';

export const SessionContext = createContext<Session | null>(null);
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a session');
  return s;
}
const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
export function can(s: Session, role: Role): boolean { return rank[s.user.role] >= rank[role]; }
