/*
 * The thin layer between Headlamp and the plain modules in lib/: settings from Headlamp's
 * ConfigStore, Kubernetes lists through ApiProxy, the Prometheus client through Headlamp's
 * backend, and polling that stops while the tab is hidden.
 */
import { ApiProxy, ConfigStore, getHeadlampAPIHeaders } from '@kinvolk/headlamp-plugin/lib';
import type { PrometheusClient } from 'kubeprom';
import { buildQuery } from 'kubeprom';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { currentBackend } from './lib/backend';
import type { AdminDefaults, Attempt, DetectDeps, K8sObject, ObjectKind } from './lib/detect';
import type { Endpoint } from './lib/endpoint';
import { makeClient } from './lib/endpoint';
import type { ErrorDescription } from './lib/errors';
import { describeError } from './lib/errors';
import { kubepromLoaded, kubepromReady } from './lib/kubeprom';
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

/** GET of a Kubernetes API path in one Headlamp cluster (for the metrics API). */
export function kubeGet(cluster: string): (path: string) => Promise<unknown> {
  return path =>
    ApiProxy.clusterRequest(path, { cluster, autoLogoutOnAuthError: false, timeout: 20000 });
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

export function useSettings(cluster: string, admin?: AdminDefaults): Effective {
  const config = useStoredConfig();
  const own = config?.[cluster];
  const key = JSON.stringify([own ?? {}, admin ?? {}]);
  // The scrape interval is read by kubeprom: computed again once the module has loaded.
  const loaded = kubepromLoaded();
  return useMemo(() => effectiveSettings(config, cluster, admin), [key, cluster, loaded]);
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
  // Once found, the admin's defaults (annotations on the labelled service) sit under the user's.
  const withAdmin = useSettings(cluster, state.status === 'ready' ? state.resolved.defaults : {});
  return { ...state, settings: withAdmin, retry };
}

export type { Polled } from './polling';
export { usePolling } from './polling';
