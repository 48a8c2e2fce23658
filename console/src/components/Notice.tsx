export function ErrorText({ error }: { error: string | undefined }) {
  return error ? <p role="alert" className="error">{error}</p> : null;
}
export function Done({ text }: { text: string | undefined }) {
  return text ? <p role="status" className="done">{text}</p> : null;
}
