/*
 * A page that loads the built plugin the way Headlamp does and renders what it registered.
 *
 * Headlamp puts its libraries on `window.pluginLib` (frontend/src/plugin/index.ts), fetches each
 * plugin's dist/main.js as text and runs it with `new Function`. This page does the same with
 * Headlamp's own plugin library (@kinvolk/headlamp-plugin/lib: the real registry, Redux store,
 * CommonComponents and ApiProxy), then renders the registered details-view sections for a
 * Kubernetes object the way Headlamp's DetailsGrid does: `<Section resource={kubeObject} />`
 * inside an ErrorBoundary, with Headlamp's theme and Redux store.
 *
 * URL: /c/<cluster>/harness?kind=Pod&namespace=shop&name=web-7d4b9c-abcde[&config=<json>]
 *      /c/<cluster>/harness?settings=1   (the plugin settings page)
 */
import * as Iconify from '@iconify/react';
import * as lib from '@kinvolk/headlamp-plugin/lib';
import { lightTheme } from '@kinvolk/headlamp-plugin/lib/components/App/defaultAppThemes';
import ErrorBoundary from '@kinvolk/headlamp-plugin/lib/components/common/ErrorBoundary';
import ResourceTable from '@kinvolk/headlamp-plugin/lib/components/common/Resource/ResourceTable';
import { KubeObject } from '@kinvolk/headlamp-plugin/lib/lib/k8s/KubeObject';
import { queryClient } from '@kinvolk/headlamp-plugin/lib/lib/queryClient';
import { createMuiTheme } from '@kinvolk/headlamp-plugin/lib/lib/themes';
import { setPluginSettings } from '@kinvolk/headlamp-plugin/lib/plugin/pluginsSlice';
import { setConfig } from '@kinvolk/headlamp-plugin/lib/redux/configSlice';
import store from '@kinvolk/headlamp-plugin/lib/redux/stores/store';
import * as MuiLab from '@mui/lab';
import { QueryClientProvider } from '@tanstack/react-query';
import * as MuiMaterial from '@mui/material';
import { ThemeProvider } from '@mui/material/styles';
import * as MuiMaterialStyles from '@mui/material/styles';
import * as Lodash from 'lodash';
import * as Notistack from 'notistack';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as ReactJSX from 'react/jsx-runtime';
import * as ReactRedux from 'react-redux';
import * as ReactRouter from 'react-router-dom';
import * as Recharts from 'recharts';

(window as any).pluginLib = {
  ...lib,
  ApiProxy: lib.ApiProxy,
  K8s: lib.K8s,
  CommonComponents: lib.CommonComponents,
  MuiMaterial: { ...MuiMaterial, styles: MuiMaterialStyles },
  MuiLab,
  React,
  ReactJSX,
  ReactDOM,
  Recharts,
  ReactRouter,
  ReactRedux,
  Router: lib.Router,
  Utils: lib.Utils,
  Iconify,
  Lodash,
  Notistack,
};

const params = new URLSearchParams(window.location.search);
const cluster = lib.Utils.getCluster() || 'test';

function status(text: string) {
  document.getElementById('harness-status')!.textContent = text;
}

async function main() {
  const source = await fetch('/plugin/main.js').then(r => {
    if (!r.ok) throw new Error(`main.js: HTTP ${r.status}`);
    return r.text();
  });
  // What Headlamp's backend /config would say: one cluster, the one in the URL.
  store.dispatch(
    setConfig({
      clusters: { [cluster]: { name: cluster, server: 'https://127.0.0.1:6443' } },
    } as any)
  );
  // Headlamp lists installed plugins before running them; settings attach to that entry.
  store.dispatch(
    setPluginSettings([{ name: 'kubeprom-headlamp', version: '0.1.0', isEnabled: true } as any])
  );
  // As Headlamp's runPlugin: the source runs in the global scope through the Function constructor.
  new Function(source + '\n//# sourceURL=plugins/kubeprom-headlamp/main.js')();

  const config = params.get('config');
  if (config) {
    new lib.ConfigStore('kubeprom-headlamp').set(JSON.parse(config));
  }

  const state = store.getState() as any;
  let content: React.ReactNode;
  if (params.get('settings')) {
    const entry = state.plugins.pluginSettings.find((p: any) => p.name === 'kubeprom-headlamp');
    const Settings = entry?.settingsComponent;
    const Page = () => {
      const data = new lib.ConfigStore<any>('kubeprom-headlamp').useConfig()();
      return Settings ? (
        <Settings
          data={data ?? {}}
          onDataChange={(d: any) => new lib.ConfigStore('kubeprom-headlamp').set(d)}
        />
      ) : (
        <p>no settings registered</p>
      );
    };
    content = <Page />;
  } else if (params.get('pods')) {
    // Headlamp's pod list table (id 'headlamp-pods'), which table-column processors extend.
    const Pod = (lib.K8s.ResourceClasses as any).Pod;
    const pods = params
      .get('pods')!
      .split(',')
      .map(id => {
        const [namespace, name] = id.split('/');
        return new Pod(
          {
            kind: 'Pod',
            apiVersion: 'v1',
            metadata: { name, namespace, uid: `uid-${name}` },
            spec: {},
            status: {},
          },
          cluster
        );
      });
    content = <ResourceTable id="headlamp-pods" columns={['name', 'namespace']} data={pods} />;
  } else if (params.get('route')) {
    const route = state.routes.routes[params.get('route')!];
    const Component = route?.component;
    content = Component ? <Component /> : <p>route {params.get('route')} not registered</p>;
  } else {
    const kind = params.get('kind')!;
    const name = params.get('name')!;
    const namespace = params.get('namespace') ?? undefined;
    const ResourceClass = (lib.K8s.ResourceClasses as any)[kind];
    const json = {
      kind,
      apiVersion: ResourceClass?.apiVersion ?? 'v1',
      metadata: { name, namespace, uid: `uid-${name}` },
      spec: JSON.parse(params.get('spec') ?? '{}'),
      status: {},
    };
    // Custom resources (Kueue queues) are plain KubeObjects in Headlamp.
    const item = new (ResourceClass ?? KubeObject)(json, cluster);
    const sections = state.detailsViewSection.detailsViewSections as { id: string; section: any }[];
    content = (
      <>
        <h1 style={{ fontFamily: 'sans-serif', fontSize: 18 }}>
          {kind} {namespace ? `${namespace}/` : ''}
          {name}
        </h1>
        {sections.map(({ id, section: Section }) => (
          <ErrorBoundary key={id}>
            {typeof Section === 'function' ? <Section resource={item} /> : Section}
          </ErrorBoundary>
        ))}
      </>
    );
  }

  createRoot(document.getElementById('root')!).render(
    <ReactRedux.Provider store={store}>
      <QueryClientProvider client={queryClient}>
        <ThemeProvider theme={createMuiTheme(lightTheme)}>
          {/* Headlamp's Layout renders MUI's baseline (border-box sizing among others); without
              it, tables laid out as grids run each cell's padding into the next column. */}
          <MuiMaterial.CssBaseline />
          <ReactRouter.BrowserRouter>
            <MuiMaterial.Box sx={{ p: 2, maxWidth: 1200 }}>{content}</MuiMaterial.Box>
          </ReactRouter.BrowserRouter>
        </ThemeProvider>
      </QueryClientProvider>
    </ReactRedux.Provider>
  );
  status('rendered');
}

main().catch(e => {
  console.error(e);
  status(`harness error: ${e?.stack ?? e}`);
});
