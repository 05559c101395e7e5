/**
 * Shows what failed and a way on, instead of a blank page, when a part of the app throws
 * while rendering (for example a record whose data another app wrote in another shape).
 * `resetKey` starts over when what it shows changes (another project is selected).
 */
import { Component, type ReactNode } from 'react';

export interface ErrorBoundaryProps {
  /** What could not be shown, for the message ("This project"). */
  what: string;
  resetKey?: unknown;
  children: ReactNode;
}

interface State {
  error: Error | null;
  resetKey: unknown;
}

export class ErrorBoundary extends Component<ErrorBoundaryProps, State> {
  override state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: ErrorBoundaryProps, state: State): Partial<State> | null {
    return props.resetKey !== state.resetKey ? { error: null, resetKey: props.resetKey } : null;
  }

  override componentDidCatch(error: Error): void {
    console.error(`[basic-sync] ${this.props.what} could not be shown:`, error);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <section className="render-error" role="alert">
        <h2>{this.props.what} could not be shown</h2>
        <p>{this.state.error.message}</p>
        <p>Your data is safe in this browser; nothing was changed. Pick something else, or try again.</p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </section>
    );
  }
}
