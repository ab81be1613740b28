import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { StandardEditorContext, StandardEditorsRegistryItem } from '@grafana/data';
import { realKubeprom } from '../testing/kubeprom';
import type { QueryHelperValue, RightSizingOptions } from '../types';
import { QueryHelperEditor } from './QueryHelperEditor';

jest.mock('../kubeprom/load', () => ({
  loadKubeprom: () => Promise.resolve(require('../testing/kubeprom').realKubeprom()),
}));

function renderEditor(
  value: QueryHelperValue | undefined,
  onChange = jest.fn(),
  mode = 'pods',
  rightSizing?: RightSizingOptions
) {
  const item = { id: 'queryHelper', name: 'Query helper' } as StandardEditorsRegistryItem<QueryHelperValue | undefined>;
  const context = { data: [], options: { mode, rightSizing } } as StandardEditorContext<unknown>;
  render(<QueryHelperEditor value={value} onChange={onChange} item={item} context={context} />);
  return onChange;
}

describe('QueryHelperEditor', () => {
  // Combobox sizes its menu with canvas text metrics, which jsdom lacks.
  beforeAll(() => {
    HTMLCanvasElement.prototype.getContext = (() => ({
      measureText: (t: string) => ({ width: t.length * 7 }),
      font: '',
    })) as never;
  });

  it('shows the query buildQuery writes for the chosen metric and filters, variables kept', async () => {
    renderEditor({ metric: 'pod_cpu_usage', namespace: '$namespace', window: '$__rate_interval' });
    const out = (await screen.findByTestId('kubeprom-query-helper-output')) as HTMLTextAreaElement;
    const expected = realKubeprom().buildQuery({
      metric: 'pod_cpu_usage',
      namespace: '$namespace',
      window: '$__rate_interval',
      variables: 'regex',
    });
    expect(out.value).toBe(expected);
    expect(out.value).toContain('namespace=~"$namespace"');
  });

  it('reports a spec buildQuery refuses', async () => {
    renderEditor({ metric: 'pod_cpu_usage', window: 'five minutes', variables: 'off' });
    expect(await screen.findByText('Cannot build the query')).toBeInTheDocument();
  });

  it('merges an edited filter into the saved value', async () => {
    const onChange = renderEditor({ metric: 'pod_memory_working_set' });
    await screen.findByTestId('kubeprom-query-helper-output');
    fireEvent.change(screen.getByPlaceholderText('$namespace'), { target: { value: 'shop' } });
    expect(onChange).toHaveBeenLastCalledWith({ metric: 'pod_memory_working_set', namespace: 'shop' });
  });

  it('offers no output before a metric is picked', async () => {
    renderEditor(undefined);
    await screen.findByTestId('kubeprom-query-helper');
    expect(screen.queryByTestId('kubeprom-query-helper-output')).toBeNull();
  });

  it("shows the query of the user's own metric, and the matcher lines it cannot read", async () => {
    const custom = {
      series: 'orders_queue_depth',
      unit: 'count' as const,
      kind: 'gauge' as const,
      matchers: 'job=shop/web',
    };
    renderEditor({ source: 'custom', custom, namespace: 'shop' });
    const out = (await screen.findByTestId('kubeprom-query-helper-output')) as HTMLTextAreaElement;
    expect(out.value).toBe(
      realKubeprom().buildQuery({
        metric: { ...custom, scope: 'pod', matchers: { job: 'shop/web' } },
        namespace: 'shop',
        variables: 'regex',
      })
    );
    expect(out.value).toContain('orders_queue_depth{job="shop/web", namespace="shop"}');
  });

  it('says which matcher line is not label=value and builds nothing', async () => {
    renderEditor({ source: 'custom', custom: { series: 'x', unit: 'count', kind: 'gauge', matchers: 'job=a\noops' } });
    expect(await screen.findByText(/line 2: "oops" is not label=value/)).toBeInTheDocument();
    expect(screen.queryByTestId('kubeprom-query-helper-output')).toBeNull();
  });

  it("writes the right-sizing plan's queries as the panel's targets in right-sizing mode", async () => {
    const rightSizing = { namespace: '$namespace', workloadKind: 'StatefulSet' as const, workloadName: 'cache' };
    renderEditor(undefined, jest.fn(), 'rightsizing', rightSizing);
    const json = (await screen.findByTestId('kubeprom-rightsizing-targets-json')) as HTMLTextAreaElement;
    const plan = realKubeprom().planRecommendation({
      namespace: '$namespace',
      workload: { kind: 'StatefulSet', name: 'cache' },
    });
    expect(JSON.parse(json.value)).toEqual(
      plan.queries.map((q) => ({ refId: q.need, expr: q.promql, instant: true, range: false, editorMode: 'code' }))
    );
    expect(screen.getAllByTestId('kubeprom-rightsizing-target').map((t) => t.getAttribute('data-ref-id'))).toEqual([
      'cpuUsage',
      'cpuSamples',
      'memoryPeak',
      'oomKilled',
      'cpuRequest',
      'cpuLimit',
      'memoryRequest',
      'memoryLimit',
    ]);
    // The catalog form is not what right-sizing needs.
    expect(screen.queryByText('Metric')).toBeNull();
  });

  it('asks for the workload before writing right-sizing targets', async () => {
    renderEditor(undefined, jest.fn(), 'rightsizing', { workloadKind: 'Deployment' });
    expect((await screen.findByTestId('kubeprom-rightsizing-targets')).textContent).toContain(
      'Set the namespace, workload name under Right-sizing'
    );
    expect(screen.queryByTestId('kubeprom-rightsizing-targets-json')).toBeNull();
  });
});
