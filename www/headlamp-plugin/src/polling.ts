/*
 * Loading that repeats: once per key, then every `refreshSeconds` while the page is visible.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorDescription } from './lib/errors';
import { describeError, isAbort } from './lib/errors';

export interface Polled<T> {
  /** The last answer for the current key (kept while a refresh of the same key runs or fails). */
  data?: T;
  /** The last failure; with `data` set, a refresh failed and `data` is older. */
  error?: ErrorDescription;
  loading: boolean;
  /** Unix ms of the last successful load. */
  updated?: number;
  refresh: () => void;
}

interface PollState<T> {
  key: string;
  data?: T;
  error?: ErrorDescription;
  loading: boolean;
  updated?: number;
}

function pageHidden() {
  return typeof document !== 'undefined' && document.visibilityState === 'hidden';
}

/**
 * Runs `load` when `key` changes and every `refreshSeconds` while the page is visible.
 * A load in flight is aborted when a newer one starts or the component goes away.
 */
export function usePolling<T>(
  load: ((signal: AbortSignal) => Promise<T>) | null,
  key: string,
  refreshSeconds: number
): Polled<T> {
  const [state, setState] = useState<PollState<T>>({ key, loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const fn = loadRef.current;
    if (!fn) return;
    const controller = new AbortController();
    // Answers belong to the key they were loaded for: a new key starts empty.
    setState(s => (s.key === key ? { ...s, loading: true } : { key, loading: true }));
    fn(controller.signal).then(
      data => {
        if (!controller.signal.aborted)
          setState({ key, data, loading: false, updated: Date.now() });
      },
      e => {
        if (controller.signal.aborted || isAbort(e)) return;
        setState(s => ({
          ...(s.key === key ? s : { key }),
          error: describeError(e),
          loading: false,
        }));
      }
    );
    return () => controller.abort();
  }, [key, tick, load === null]);

  useEffect(() => {
    if (!(refreshSeconds > 0)) return;
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = () => {
      if (timer === undefined && !pageHidden()) {
        timer = setInterval(() => setTick(t => t + 1), refreshSeconds * 1000);
      }
    };
    const stop = () => {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (pageHidden()) {
        stop();
      } else {
        // Catch up at once after the tab was hidden, then poll again.
        setTick(t => t + 1);
        start();
      }
    };
    start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [refreshSeconds, key]);

  const refresh = useCallback(() => setTick(t => t + 1), []);
  // Until the effect for a new key has run, show nothing of the old key.
  if (state.key !== key) return { loading: true, refresh };
  return {
    data: state.data,
    error: state.error,
    loading: state.loading,
    updated: state.updated,
    refresh,
  };
}
