/*
 * Where Headlamp's backend is, seen from the page.
 *
 * Headlamp's own requests go through its internal getAppUrl(), which plugins cannot import.
 * The rules below follow what it documents: the desktop app (Electron) and Docker Desktop talk
 * to a backend on localhost, a browser deployment talks to the page's origin plus the configured
 * base URL (window.headlampBaseUrl).
 */
import type { Backend } from './endpoint';

/** The parts of `window` that decide the backend's address. */
export interface PageEnv {
  origin: string;
  userAgent?: string;
  /** window.process.type, set to 'renderer' in Electron. */
  processType?: string;
  headlampBackendPort?: number;
  headlampBaseUrl?: string;
  dockerDesktop?: boolean;
}

export function pageEnv(): PageEnv {
  const w = globalThis as any;
  return {
    origin: w.location?.origin ?? '',
    userAgent: w.navigator?.userAgent,
    processType: w.process?.type,
    headlampBackendPort: w.headlampBackendPort,
    headlampBaseUrl: w.headlampBaseUrl,
    dockerDesktop: w.ddClient !== undefined,
  };
}

/** Origin plus base path of Headlamp's backend, without a trailing slash. */
export function backendOrigin(env: PageEnv): string {
  const electron = env.processType === 'renderer' || !!env.userAgent?.includes('Electron');
  if (env.dockerDesktop) {
    return 'http://localhost:64446';
  }
  if (electron) {
    // The desktop app serves no base URL.
    return `http://localhost:${env.headlampBackendPort ?? 4466}`;
  }
  let base = env.headlampBaseUrl ?? '';
  if (base === '.' || base === './' || base === '/') {
    base = '';
  }
  base = base.replace(/\/+$/, '');
  if (base && !base.startsWith('/')) {
    base = `/${base}`;
  }
  return `${env.origin}${base}`;
}

/** The backend for this page; `apiHeaders` is Headlamp's getHeadlampAPIHeaders(). */
export function currentBackend(apiHeaders: () => Record<string, string>): Backend {
  return { origin: backendOrigin(pageEnv()), headers: { ...apiHeaders() } };
}
