import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { usePolling } from './polling';

let visibility: DocumentVisibilityState = 'visible';

beforeEach(() => {
  vi.useFakeTimers();
  visibility = 'visible';
  vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function setVisibility(v: DocumentVisibilityState) {
  visibility = v;
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('usePolling', () => {
  it('loads on mount and on every interval while visible, not while hidden', async () => {
    let calls = 0;
    const load = vi.fn(async () => ++calls);
    const { result } = renderHook(() => usePolling(load, 'k', 10));
    await act(async () => {});
    expect(result.current.data).toBe(1);

    await act(async () => vi.advanceTimersByTime(10000));
    expect(load).toHaveBeenCalledTimes(2);

    act(() => setVisibility('hidden'));
    await act(async () => vi.advanceTimersByTime(60000));
    expect(load).toHaveBeenCalledTimes(2);

    // Back in view: catch up at once, then poll again.
    await act(async () => setVisibility('visible'));
    expect(load).toHaveBeenCalledTimes(3);
    await act(async () => vi.advanceTimersByTime(10000));
    expect(load).toHaveBeenCalledTimes(4);
    expect(result.current.data).toBe(4);
  });

  it('does not poll when refreshing is off, and drops data of an old key', async () => {
    const load = vi.fn(async (signal: AbortSignal): Promise<number> => (signal.aborted ? -1 : 7));
    const { result, rerender } = renderHook(({ k }) => usePolling(load, k, 0), {
      initialProps: { k: 'a' },
    });
    await act(async () => {});
    expect(result.current.data).toBe(7);
    await act(async () => vi.advanceTimersByTime(600000));
    expect(load).toHaveBeenCalledTimes(1);

    let release!: (v: number) => void;
    load.mockImplementationOnce(() => new Promise<number>(r => (release = r)));
    rerender({ k: 'b' });
    expect(result.current.data).toBeUndefined();
    expect(result.current.loading).toBe(true);
    await act(async () => release(8));
    expect(result.current.data).toBe(8);
  });

  it('keeps the last data when a refresh fails, and says so', async () => {
    let fail = false;
    const load = vi.fn(async () => {
      if (fail) throw Object.assign(new Error('down'), { kind: 'http', status: 503 });
      return 'ok';
    });
    const { result } = renderHook(() => usePolling(load, 'k', 5));
    await act(async () => {});
    fail = true;
    await act(async () => vi.advanceTimersByTime(5000));
    expect(result.current.data).toBe('ok');
    expect(result.current.error?.summary).toBe('http (HTTP 503): down');
  });
});
