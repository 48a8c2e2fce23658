// Users and their roles (admins only): add, set a password, remove.
import { useState, type FormEvent } from 'react';
import { api, post } from '../api';
import { when } from '../format';
import { useLoad } from '../load';
import { useSession } from '../session';
import { Done, ErrorText } from '../components/Notice';
import type { Role, UserRow } from '../types';

const ROLES: Role[] = ['viewer', 'operator', 'admin'];

export function UsersPage() {
  const me = useSession();
  const { data, error, reload } = useLoad<UserRow[]>('/users');
  const [form, setForm] = useState<{ name: string; password: string; role: Role }>({ name: '', password: '', role: 'viewer' });
  const [pw, setPw] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string>();
  const [fail, setFail] = useState<string>();
  const act = async (what: () => Promise<string>) => {
    setDone(undefined); setFail(undefined);
    try { setDone(await what()); reload(); } catch (e) { setFail((e as Error).message); }
  };
  const add = (e: FormEvent) => { e.preventDefault(); void act(async () => { await post('/users', form); setForm({ name: '', password: '', role: 'viewer' }); return `User ${form.name} added.`; }); };
  return (
    <section aria-labelledby="h-users">
      <h1 id="h-users">Users</h1>
      <ErrorText error={error ?? fail} />
      <Done text={done} />
      {data && (
        <table className="list" aria-label="Users">
          <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Since</th><th scope="col">New password</th><th scope="col">Remove</th></tr></thead>
          <tbody>
            {data.map((u) => (
              <tr key={u.name}>
                <td>{u.name}</td>
                <td>
                  <label className="sr" htmlFor={`role-${u.name}`}>Role of {u.name}</label>
                  <select id={`role-${u.name}`} value={u.role} disabled={u.name === me.user.name}
                    onChange={(e) => { const role = e.target.value as Role; void act(async () => { await api('PATCH', `/users/${encodeURIComponent(u.name)}`, { role }); return `${u.name} is now ${role}.`; }); }}>
                    {ROLES.map((r) => <option key={r}>{r}</option>)}
                  </select>
                </td><td>{when(u.createdAt)}</td>
                <td>
                  <form className="inline" onSubmit={(e) => { e.preventDefault(); void act(async () => { await post(`/users/${encodeURIComponent(u.name)}/password`, { password: pw[u.name] ?? '' }); setPw({ ...pw, [u.name]: '' }); return `Password of ${u.name} changed.`; }); }}>
                    <label className="sr" htmlFor={`pw-${u.name}`}>New password for {u.name}</label>
                    <input id={`pw-${u.name}`} type="password" autoComplete="new-password" required value={pw[u.name] ?? ''} onChange={(e) => setPw({ ...pw, [u.name]: e.target.value })} />
                    <button type="submit">Set</button>
                  </form>
                </td>
                <td>{u.name !== me.user.name && <button type="button" className="danger" aria-label={`Remove user ${u.name}`}
                  onClick={() => { if (window.confirm(`Remove user ${u.name}?`)) void act(async () => { await api('DELETE', `/users/${encodeURIComponent(u.name)}`); return `User ${u.name} removed.`; }); }}>Remove</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Add a user</h2>
      <form className="filters" onSubmit={add} aria-label="Add a user">
        <div><label htmlFor="u-name">Name</label><input id="u-name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} /></div>
        <div><label htmlFor="u-password">Password</label><input id="u-password" type="password" autoComplete="new-password" required value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} /></div>
        <div><label htmlFor="u-role">Role</label><select id="u-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select></div>
        <div className="actions"><button type="submit">Add user</button></div>
      </form>
    </section>
  );
}
