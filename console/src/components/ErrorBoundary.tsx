// A page that throws while rendering shows what went wrong instead of a blank console; the
// navigation stays, and moving to another page (the key) renders afresh.
import { Component, type ReactNode } from 'react';

export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };
  static getDerivedStateFromError(error: Error) { return { error }; }
  render() {
    if (this.state.error) return <p role="alert" className="error">This page failed: {this.state.error.message}. Reload the page or open another one.</p>;
    return this.props.children;
  }
}
