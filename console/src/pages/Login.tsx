import { useState, type FormEvent } from 'react';
import { login } from '../api';
import { ErrorText } from '../components/Notice';
import type { Session } from '../types';

export function Login({ onLogin }: { onLogin: (s: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true); setError(undefined);
    try { onLogin(await login(username, password)); } catch (err) { setError((err as Error).message); } finally { setBusy(false); }
  };
  return (
    <main className="login" id="main">
      <h1>Connect operations console</h1>
      <form onSubmit={(e) => void submit(e)} aria-label="Log in">
        <label htmlFor="username">User name</label>
        <input id="username" name="username" autoComplete="username" required autoFocus value={username} onChange={(e) => setUsername(e.target.value)} />
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <button type="submit" disabled={busy}>Log in</button>
        <ErrorText error={error} />
      </form>
    </main>
  );
}
