/*
 * The thin layer between Headlamp and the plain modules in lib/: settings from Headlamp's
 * ConfigStore, Kubernetes lists through ApiProxy, the Prometheus client through Headlamp's
 * backend, and polling that stops while the tab is hidden.
 */
import { ApiProxy, ConfigStore, getHeadlampAPIHeaders } from '@kinvolk/headlamp-plugin/lib';
import type { PrometheusClient } from 'kubeprom';
import { buildQuery } from 'kubeprom';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { currentBackend } from './lib/backend';
import type { Attempt, DetectDeps, K8sObject, ObjectKind } from './lib/detect';
import type { Endpoint } from './lib/endpoint';
import { makeClient } from './lib/endpoint';
import type { ErrorDescription } from './lib/errors';
import { describeError, isAbort } from './lib/errors';
import { kubepromReady } from './lib/kubeprom';
import type { Effective, PluginConfig, Resolved } from './lib/settings';
import { effectiveSettings, endpointCache, PLUGIN_NAME } from './lib/settings';

export const configStore = new ConfigStore<PluginConfig>(PLUGIN_NAME);
const useStoredConfig = configStore.useConfig();

/** Kubernetes lists and Prometheus probes for detection, in one Headlamp cluster. */
export function detectDeps(cluster: string): DetectDeps {
  return {
    list: async (kind: ObjectKind, labelSelector: string) => {
      const list = await ApiProxy.clusterRequest(
        `/api/v1/${kind}?labelSelector=${encodeURIComponent(labelSelector)}`,
        { cluster, autoLogoutOnAuthError: false, timeout: 20000 }
      );
      return ((list as { items?: K8sObject[] })?.items ?? []) as K8sObject[];
    },
    probe: async (endpoint: Endpoint) => {
      const client = makeClient(endpoint, cluster, currentBackend(getHeadlampAPIHeaders), 10000);
      await client.query(buildQuery({ metric: 'scrape_up' }));
    },
  };
}

const DETECTION_TIMEOUT_MS = 60000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          Object.assign(new Error(`${what} took longer than ${ms / 1000} s`), { kind: 'timeout' })
        ),
      ms
    );
    promise.then(
      v => {
        clearTimeout(timer);
        resolve(v);
      },
      e => {
        clearTimeout(timer);
        reject(e);
      }
    );
  });
}

export type PromState =
  | { status: 'loading' }
  | { status: 'ready'; resolved: Resolved; client: PrometheusClient }
  | { status: 'error'; error: ErrorDescription; attempts: Attempt[] };

export function useSettings(cluster: string): Effective {
  const config = useStoredConfig();
  const own = config?.[cluster];
  const key = JSON.stringify(own ?? {});
  return useMemo(() => effectiveSettings(config, cluster), [key, cluster]);
}

/** The Prometheus endpoint of a cluster, found once and shared by every section. */
export function usePrometheus(
  cluster: string
): PromState & { settings: Effective; retry: () => void } {
  const settings = useSettings(cluster);
  const [state, setState] = useState<PromState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setState({ status: 'loading' });
    const work = kubepromReady().then(() =>
      endpointCache.get(cluster, settings, () => detectDeps(cluster))
    );
    withTimeout(work, DETECTION_TIMEOUT_MS, 'Finding Prometheus')
      .then(resolved => {
        if (!live) return;
        const client = makeClient(
          resolved.endpoint,
          cluster,
          currentBackend(getHeadlampAPIHeaders)
        );
        setState({ status: 'ready', resolved, client });
      })
      .catch(e => {
        if (!live) return;
        setState({
          status: 'error',
          error: describeError(e),
          attempts: (e as { attempts?: Attempt[] }).attempts ?? [],
        });
      });
    return () => {
      live = false;
    };
  }, [cluster, settings.address, attempt]);
  const retry = useCallback(() => {
    endpointCache.invalidate(cluster);
    setAttempt(a => a + 1);
  }, [cluster]);
  return { ...state, settings, retry };
}

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
