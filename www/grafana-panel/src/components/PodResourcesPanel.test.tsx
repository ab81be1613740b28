import React from 'react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { createDataFrame, type DataFrame, FieldType, LoadingState } from '@grafana/data';
import { realKubeprom } from '../testing/kubeprom';
import { panelProps } from '../testing/panelProps';
import { answerFrames, WEB } from '../testing/rightSizingFrames';
import { PodResourcesPanel } from './PodResourcesPanel';

// The real core, instantiated from its bytes: jsdom cannot fetch the .wasm URL webpack would emit.
jest.mock('../kubeprom/load', () => ({
  loadKubeprom: () => Promise.resolve(require('../testing/kubeprom').realKubeprom()),
}));

const MiB = 1024 * 1024;
const T0 = 1_700_000_000_000;

function series(refId: string, labels: Record<string, string>, values: number[]): DataFrame {
  return createDataFrame({
    refId,
    fields: [
      { name: 'Time', type: FieldType.time, values: values.map((_, i) => T0 + i * 30_000) },
      { name: 'Value', type: FieldType.number, values, labels },
    ],
  });
}

async function renderPanel(...args: Parameters<typeof panelProps>) {
  render(<PodResourcesPanel {...panelProps(...args)} />);
  return screen.findByTestId('kubeprom-panel');
}

describe('PodResourcesPanel', () => {
  beforeAll(() => realKubeprom());

  it('renders one row per pod with its value, request and limit', async () => {
    await renderPanel({
      frames: [
        series('A', { namespace: 'shop', pod: 'web-1' }, [300 * MiB]),
        series('A', { namespace: 'shop', pod: 'db-0' }, [1024 * MiB]),
        series('B', { namespace: 'shop', pod: 'web-1' }, [256 * MiB]),
        series('C', { namespace: 'shop', pod: 'web-1' }, [512 * MiB]),
      ],
      targets: [
        { refId: 'A', expr: 'sum by (namespace, pod) (container_memory_working_set_bytes{container!=""})' },
        { refId: 'B', expr: 'sum by (namespace, pod) (kube_pod_container_resource_requests{resource="memory"})' },
        { refId: 'C', expr: 'sum by (namespace, pod) (kube_pod_container_resource_limits{resource="memory"})' },
      ],
      options: { visual: 'bar', lint: false },
    });
    const rows = screen.getAllByTestId('kubeprom-pod-row');
    expect(rows.map((r) => r.getAttribute('data-pod'))).toEqual(['db-0', 'web-1']);
    // 1024 MiB is 1 GiB: sizes are written in the largest binary unit that keeps them at one or more.
    expect(within(rows[0]).getByTestId('kubeprom-pod-value').textContent).toBe('1 GiB');
    expect(within(rows[0]).getByTestId('kubeprom-pod-request').textContent).toBe('—');
    expect(within(rows[1]).getByTestId('kubeprom-pod-request').textContent).toBe('256 MiB');
    expect(within(rows[1]).getByTestId('kubeprom-pod-limit').textContent).toBe('512 MiB');
    // 300 / 512 = 58.59375 %, three significant digits.
    expect(within(rows[1]).getByTestId('kubeprom-pod-percent-of-limit').textContent).toBe('58.6%');
    expect(within(rows[0]).getByTestId('kubeprom-pod-percent-of-limit').textContent).toBe('—');
    expect(within(rows[1]).getByTestId('kubeprom-limit-marker')).toBeInTheDocument();
    expect(within(rows[0]).queryByTestId('kubeprom-limit-marker')).toBeNull();
    // Header click re-sorts by name.
    fireEvent.click(screen.getByTestId('kubeprom-sort-name'));
    expect(screen.getAllByTestId('kubeprom-pod-row').map((r) => r.getAttribute('data-pod'))).toEqual(['db-0', 'web-1']);
    fireEvent.click(screen.getByTestId('kubeprom-sort-value-desc'));
    fireEvent.click(screen.getByTestId('kubeprom-sort-value-desc'));
    expect(screen.getAllByTestId('kubeprom-pod-row').map((r) => r.getAttribute('data-pod'))).toEqual(['web-1', 'db-0']);
  });

  it('shows the per-container breakdown and a notice for the series it did not count', async () => {
    const pod = { namespace: 'shop', pod: 'web-1' };
    await renderPanel({
      frames: [
        series('A', { ...pod, container: 'app' }, [200 * MiB]),
        series('A', { ...pod, container: 'sidecar' }, [50 * MiB]),
        series('A', { ...pod }, [256 * MiB]),
        series('A', { ...pod, container: 'POD' }, [1 * MiB]),
      ],
      targets: [{ refId: 'A', expr: 'container_memory_working_set_bytes{namespace="shop"}' }],
      options: { visual: 'none', showContainers: true, lint: false },
    });
    expect(screen.getByTestId('kubeprom-pod-value').textContent).toBe('250 MiB');
    expect(screen.getAllByTestId('kubeprom-container-row').map((r) => r.textContent)).toEqual([
      'app200 MiB',
      'sidecar50 MiB',
    ]);
    expect(screen.getByText('2 series not counted')).toBeInTheDocument();
  });

  it('shows the Kueue table in Kueue mode', async () => {
    await renderPanel({
      frames: [
        series('A', { cluster_queue: 'gpu', status: 'active' }, [3]),
        series('A', { cluster_queue: 'gpu', status: 'inadmissible' }, [2]),
      ],
      targets: [{ refId: 'A', expr: 'sum by (cluster_queue, status) (kueue_pending_workloads)' }],
      options: { mode: 'kueue', visual: 'bar', lint: false },
    });
    const row = screen.getByTestId('kubeprom-queue-row');
    expect(row.getAttribute('data-queue')).toBe('gpu');
    expect(within(row).getByTestId('kubeprom-queue-active').textContent).toBe('3');
    expect(within(row).getByTestId('kubeprom-queue-pending').textContent).toBe('5');
  });

  it("shows right-sizing per container in right-sizing mode, the command to copy and the plan's PromQL", async () => {
    const plan = realKubeprom().planRecommendation({
      namespace: '$namespace',
      workload: { kind: 'Deployment', name: 'web' },
    });
    const props = panelProps({
      frames: answerFrames(),
      targets: plan.queries.map((q) => ({ refId: q.need, expr: q.promql, instant: true, range: false })),
      options: { mode: 'rightsizing', rightSizing: { ...WEB, namespace: '$namespace' } },
    });
    render(<PodResourcesPanel {...props} replaceVariables={(s) => s.replace('$namespace', 'shop')} />);
    await screen.findByTestId('kubeprom-rightsizing-table');
    expect(screen.queryByTestId('kubeprom-notices')).toBeNull();
    const rows = screen.getAllByTestId('kubeprom-rightsizing-row');
    expect(rows.map((r) => r.getAttribute('data-container'))).toEqual(['app', 'sidecar']);
    const app = within(rows[0]);
    expect(app.getByTestId('kubeprom-rightsizing-status').textContent).toBe('Under-provisioned');
    // 0.4321 cores rounds up to 440m; the 700 MiB peak plus 15 % (805 MiB) up to 816 MiB.
    expect(app.getByTestId('kubeprom-rightsizing-cpu-request-change').textContent).toBe('1000m → 440m');
    expect(app.getByTestId('kubeprom-rightsizing-cpu-request-judgement').textContent).toBe('+560m over-provisioned');
    expect(app.getByTestId('kubeprom-rightsizing-memory-request').getAttribute('data-quantity')).toBe('816Mi');
    expect(app.getByTestId('kubeprom-rightsizing-memory-request-judgement').textContent).toBe(
      '-560 MiB under-provisioned'
    );
    expect(app.getByTestId('kubeprom-rightsizing-memory-limit-change').textContent).toBe('1 GiB → 816 MiB');
    expect(app.getByTestId('kubeprom-rightsizing-cpu-limit-change').textContent).toBe('not set');
    expect(app.getByTestId('kubeprom-rightsizing-history').textContent).toBe('14d');
    const commands = screen.getAllByTestId('kubeprom-rightsizing-kubectl');
    expect(commands[0].textContent).toBe(
      'kubectl set resources deployment/web -n shop -c app --requests=cpu=440m,memory=816Mi --limits=memory=816Mi'
    );
    expect(commands[1].getAttribute('data-container')).toBe('sidecar');
    expect(screen.getAllByRole('button', { name: /Copy/ })).toHaveLength(2);
    // The PromQL, as Prometheus ran it, behind its toggle.
    fireEvent.click(screen.getByText('PromQL: 8 instant queries'));
    const queries = screen.getAllByTestId('kubeprom-rightsizing-query');
    expect(queries.map((q) => q.getAttribute('data-need'))).toEqual(plan.queries.map((q) => q.need));
    expect(queries[0].textContent).toContain('namespace="shop"');
  });

  it('shows no right-sizing numbers when a need has no query, and says which', async () => {
    const plan = realKubeprom().planRecommendation({
      namespace: 'shop',
      workload: { kind: 'Deployment', name: 'web' },
    });
    await renderPanel({
      frames: answerFrames().filter((f) => f.refId !== 'cpuRequest'),
      targets: plan.queries.filter((q) => q.need !== 'cpuRequest').map((q) => ({ refId: q.need, expr: q.promql })),
      options: { mode: 'rightsizing', rightSizing: WEB },
    });
    expect(screen.getByText('Right-sizing queries missing: cpuRequest')).toBeInTheDocument();
    expect(screen.queryByTestId('kubeprom-rightsizing-table')).toBeNull();
    expect(screen.getByText('No data')).toBeInTheDocument();
  });

  it('waits for the first right-sizing answers instead of saying the workload has no containers', async () => {
    const plan = realKubeprom().planRecommendation({
      namespace: 'shop',
      workload: { kind: 'Deployment', name: 'web' },
    });
    const props = panelProps({
      frames: [],
      targets: plan.queries.map((q) => ({ refId: q.need, expr: q.promql })),
      options: { mode: 'rightsizing', rightSizing: WEB },
    });
    render(<PodResourcesPanel {...props} data={{ ...props.data, state: LoadingState.Loading }} />);
    expect(await screen.findByText('Reading the usage history…')).toBeInTheDocument();
    expect(screen.queryByText('No containers')).toBeNull();
  });

  it('says No data without frames', async () => {
    await renderPanel({
      frames: [],
      targets: [{ refId: 'A', expr: 'container_memory_working_set_bytes' }],
      options: { lint: false },
    });
    expect(screen.getByText('No data')).toBeInTheDocument();
  });

  it('shows a load error', async () => {
    const load = jest.requireMock('../kubeprom/load') as { loadKubeprom: () => Promise<unknown> };
    const original = load.loadKubeprom;
    load.loadKubeprom = () => Promise.reject(new Error('wasm blocked'));
    try {
      render(<PodResourcesPanel {...panelProps({ frames: [], targets: [] })} />);
      expect(await screen.findByText('wasm blocked')).toBeInTheDocument();
    } finally {
      load.loadKubeprom = original;
    }
    await act(async () => {});
  });
});
