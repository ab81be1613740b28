// The harness page's "Grafana": it provides the modules Grafana shares with plugins (React,
// @grafana/data, @grafana/ui, @emotion/css), loads the built plugin (dist/module.js, an AMD
// module) from public/plugins/<id>/ as Grafana does, and renders the plugin's panel component
// inside @grafana/ui's theme with frames converted from real Prometheus responses.
import * as React from 'react';
import * as jsxRuntime from 'react/jsx-runtime';
import * as ReactDOM from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import * as emotionCss from '@emotion/css';
import * as grafanaData from '@grafana/data';
import {
  createTheme,
  FieldConfigProperty,
  identityOverrideProcessor,
  type PanelPlugin,
  PanelOptionsEditorBuilder,
  standardEditorsRegistry,
  standardFieldConfigEditorRegistry,
  ThemeContext,
} from '@grafana/data';
import * as grafanaUi from '@grafana/ui';
import { panelProps } from '../../src/testing/panelProps';
import { prometheusToFrames, type PromResponse } from '../../src/testing/promFrames';

const PLUGIN_ID = 'kubeprom-podresources-panel';
const PLUGIN_BASE = `/public/plugins/${PLUGIN_ID}/`;

type AmdDefine = ((deps: string[], factory: (...args: unknown[]) => unknown) => void) & { amd?: boolean };
declare global {
  interface Window {
    define?: AmdDefine;
    kubepromHarness: {
      render(input: RenderInput): Promise<void>;
      renderOptionEditor(input: { id: string; value: unknown; options?: Record<string, unknown> }): Promise<void>;
    };
  }
}

export interface RenderInput {
  queries: Array<{
    refId: string;
    /** The target's text, as written (dashboard variables kept). */
    expr: string;
    /** The query Prometheus ran (variables filled in), for the frame metadata; default `expr`. */
    ranExpr?: string;
    /** An instant query (`body` a vector), else a range query of `step` seconds. */
    instant?: boolean;
    step: number;
    body: PromResponse;
  }>;
  options?: Record<string, unknown>;
  /** Dashboard variables by name, for the panel's replaceVariables. */
  variables?: Record<string, string>;
  width: number;
  height: number;
}

/** Grafana's `$name` and `${name}` forms of a dashboard variable, filled in from `variables`. */
function replaceVariables(variables: Record<string, string>) {
  return (text: string) =>
    text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
      const name = braced ?? bare ?? '';
      return Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : whole;
    });
}

/** Loads module.js by a script tag and answers its AMD define with the host's shared modules. */
function loadPlugin(): Promise<PanelPlugin> {
  const shared: Record<string, unknown> = {
    react: React,
    'react/jsx-runtime': jsxRuntime,
    'react-dom': ReactDOM,
    '@emotion/css': emotionCss,
    '@grafana/data': grafanaData,
    '@grafana/ui': grafanaUi,
    // What SystemJS gives an AMD module as `module`: its own address, from which the plugin sets
    // its public path (and so the address of its .wasm).
    module: { uri: `${location.origin}${PLUGIN_BASE}module.js` },
  };
  return new Promise((resolve, reject) => {
    const define: AmdDefine = (deps, factory) => {
      try {
        const missing = deps.filter((d) => !(d in shared));
        if (missing.length > 0) {
          throw new Error(`the plugin imports ${missing.join(', ')}, which Grafana does not share with plugins`);
        }
        const exports = factory(...deps.map((d) => shared[d])) as { plugin?: PanelPlugin };
        if (!exports?.plugin) {
          throw new Error('module.js exports no `plugin`');
        }
        resolve(exports.plugin);
      } catch (e) {
        reject(e);
      }
    };
    define.amd = true;
    window.define = define;
    const script = document.createElement('script');
    script.src = `${PLUGIN_BASE}module.js`;
    script.onerror = () => reject(new Error(`cannot load ${script.src}`));
    document.head.append(script);
  });
}

// Grafana's app registers the option editors at boot; the panel editor is not rendered here, so the
// host only needs the entries to exist (the plugin's option builder looks them up by id).
const NoEditor = () => null;
standardEditorsRegistry.setInit(() =>
  [
    'number',
    'slider',
    'text',
    'strings',
    'select',
    'multi-select',
    'radio',
    'boolean',
    'color',
    'timezone',
    'unit',
    'field-name',
  ].map((id) => ({
    id,
    name: id,
    editor: NoEditor,
  }))
);
standardFieldConfigEditorRegistry.setInit(() => [
  {
    id: FieldConfigProperty.Thresholds,
    path: FieldConfigProperty.Thresholds,
    name: 'Thresholds',
    editor: NoEditor,
    override: NoEditor,
    process: identityOverrideProcessor,
    shouldApply: () => true,
  },
]);

const theme = createTheme({ colors: { mode: 'dark' } });
// Grafana's page styles, without its web fonts (they ship with Grafana, not with its npm packages).
Object.assign(document.body.style, {
  margin: '0',
  background: theme.colors.background.canvas,
  color: theme.colors.text.primary,
  fontFamily: 'sans-serif',
  fontSize: `${theme.typography.fontSize}px`,
});
let root: Root | undefined;
const pluginPromise = loadPlugin();

window.kubepromHarness = {
  async render({ queries, options, variables, width, height }: RenderInput) {
    const plugin = await pluginPromise;
    const frames = queries.flatMap((q) =>
      prometheusToFrames(q.body, { refId: q.refId, expr: q.ranExpr ?? q.expr, stepSeconds: q.step })
    );
    const props = panelProps({
      frames,
      targets: queries.map((q) =>
        q.instant ? { refId: q.refId, expr: q.expr, instant: true, range: false } : { refId: q.refId, expr: q.expr }
      ),
      // The plugin's own option defaults (module.ts), as Grafana fills them in for a new panel.
      options: { ...(plugin.defaults as object), ...options },
      fieldConfig: { defaults: plugin.fieldConfigDefaults.defaults, overrides: [] },
      width,
      height,
    });
    if (variables) {
      props.replaceVariables = replaceVariables(variables);
    }
    const Panel = plugin.panel!;
    mount(
      <div
        style={{ width, height, margin: 8, background: theme.colors.background.primary }}
        data-testid="harness-panel"
      >
        <Panel {...props} />
      </div>
    );
  },

  /** One of the plugin's custom option editors, as the panel editor's options pane shows it. */
  async renderOptionEditor({ id, value, options }) {
    const plugin = await pluginPromise;
    const builder = new PanelOptionsEditorBuilder();
    plugin.getPanelOptionsSupplier()(builder, { data: [] });
    const item = builder.getItems().find((i) => i.id === id);
    if (!item) {
      throw new Error(`the plugin has no option editor ${id}`);
    }
    const Editor = item.editor;
    const context = { data: [], options: { ...(plugin.defaults as object), ...options } };
    mount(
      <div style={{ width: 360, margin: 8, padding: 8, background: theme.colors.background.primary }}>
        <Editor value={value} onChange={() => {}} item={item} context={context} />
      </div>
    );
  },
};

function mount(node: React.ReactNode) {
  root ??= createRoot(document.getElementById('root')!);
  root.render(<ThemeContext.Provider value={theme}>{node}</ThemeContext.Provider>);
}
