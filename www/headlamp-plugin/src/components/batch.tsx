import { SimpleTable, StatusLabel } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import {
  Box,
  Grid,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { useCallback } from 'react';
import { usePolling } from '../hooks';
import { formatEndpoint } from '../lib/endpoint';
import type { QueueRow } from '../lib/kueue';
import { planKueue } from '../lib/kueue';
import type { KueueResult, OperatorsResult } from '../lib/load';
import { loadKueue, loadOperators } from '../lib/load';
import type { HealthState, OperatorDef, OperatorHealth } from '../lib/operators';
import { OPERATORS } from '../lib/operators';
import { planContext } from '../lib/settings';
import { formatValue } from '../lib/viewmodel';
import type { SectionContext } from './MetricsSection';
import { QueryList } from './QueryList';
import { ErrorNotice, Loading } from './states';

const STATUS: Record<HealthState, { label: string; status: 'success' | 'warning' | 'error' | '' }> =
  {
    healthy: { label: 'Healthy', status: 'success' },
    degraded: { label: 'Degraded', status: 'warning' },
    down: { label: 'Down', status: 'error' },
    'not-scraped': { label: 'Not scraped', status: '' },
  };

function ctxKey(ctx: SectionContext, extra: unknown) {
  return JSON.stringify([formatEndpoint(ctx.resolved.endpoint), ctx.settings, extra]);
}

function HealthCard(props: { health: OperatorHealth }) {
  const { def, state, reason, controllers, targets } = props.health;
  return (
    <Paper
      variant="outlined"
      sx={{ p: 1.5, flex: 1 }}
      data-testid={`kubeprom-operator-${def.id}`}
      data-state={state}
    >
      <Box display="flex" justifyContent="space-between" alignItems="center" mb={1}>
        <Typography variant="subtitle1">{def.title}</Typography>
        <StatusLabel status={STATUS[state].status}>{STATUS[state].label}</StatusLabel>
      </Box>
      <Typography variant="body2" data-testid={`kubeprom-operator-${def.id}-reason`}>
        {reason}
      </Typography>
      {targets.length > 0 && (
        <Typography variant="caption" color="text.secondary" component="div" sx={{ mt: 1 }}>
          Targets: {targets.map(t => `${t.job} ${t.instance} ${t.up ? 'up' : 'down'}`).join(', ')}
        </Typography>
      )}
      {controllers.length > 0 && (
        // A small table sized by its content, for a card that may be half or a third of the
        // page; on a screen narrower still it scrolls inside the card rather than being cut at
        // its edge.
        <Box
          mt={1}
          sx={{ overflowX: 'auto' }}
          data-testid={`kubeprom-operator-${def.id}-controllers`}
        >
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>Controller</TableCell>
                <TableCell align="right">Reconciles</TableCell>
                <TableCell align="right">Errors</TableCell>
                <TableCell align="right">Queue</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {controllers.map(c => (
                <TableRow key={c.controller}>
                  <TableCell>{c.controller}</TableCell>
                  <TableCell align="right">{formatValue(c.rate, 'ops/s')}</TableCell>
                  <TableCell align="right">{formatValue(c.errorRate, 'ops/s')}</TableCell>
                  <TableCell align="right">{formatValue(c.depth, 'count')}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
    </Paper>
  );
}

/** Health cards of the batch/ML operators (or of the given ones). */
export function OperatorHealthCards(props: { ctx: SectionContext; defs?: OperatorDef[] }) {
  const { ctx, defs = OPERATORS } = props;
  const key = ctxKey(
    ctx,
    defs.map(d => d.id)
  );
  const load = useCallback(
    (signal: AbortSignal) =>
      loadOperators(ctx.client, planContext(ctx.settings), defs, signal, ctx.resolved.endpoint),
    [key]
  );
  const polled = usePolling<OperatorsResult>(load, key, ctx.settings.refreshSeconds);
  if (!polled.data) {
    if (polled.error)
      return (
        <ErrorNotice title="Operator health failed" error={polled.error} onRetry={polled.refresh} />
      );
    return <Loading title="Loading operator health" />;
  }
  const { health, error, targetsError, queries } = polled.data;
  if (error)
    return <ErrorNotice title="Prometheus queries failed" error={error} onRetry={polled.refresh} />;
  return (
    <Box>
      {targetsError && (
        <Typography variant="caption" color="text.secondary" component="div" sx={{ mb: 1 }}>
          The targets API could not be read ({targetsError.summary}); health comes from the `up`
          series only.
        </Typography>
      )}
      <Grid container spacing={2}>
        {health.map(h => (
          // Three across only on wide screens: a third of a laptop's page is narrower than a
          // controller table's four columns.
          <Grid
            item
            xs={12}
            md={defs.length > 1 ? 6 : 12}
            xl={defs.length > 1 ? 4 : 12}
            key={h.def.id}
            // The card fills its cell's height as a flex item: the cards of a row line up.
            sx={{ display: 'flex' }}
          >
            <HealthCard health={h} />
          </Grid>
        ))}
      </Grid>
      <QueryList queries={queries} />
    </Box>
  );
}

/** `name` with a line-break opportunity before each capital: `Unsatisfied<wbr>Admission<wbr>Checks`. */
function camelCaseBreaks(name: string) {
  return name.split(/(?=[A-Z])/).flatMap((word, i) => (i === 0 ? [word] : [<wbr key={i} />, word]));
}

/**
 * Kueue cluster queues: pending in all and by status, admission wait p95, admissions per second,
 * what unadmitted workloads wait for and the CPU and memory pending workloads request.
 */
export function KueueQueues(props: { ctx: SectionContext; clusterQueue?: string }) {
  const { ctx, clusterQueue } = props;
  const key = ctxKey(ctx, clusterQueue);
  const load = useCallback(
    (signal: AbortSignal) =>
      loadKueue(
        ctx.client,
        planKueue(planContext(ctx.settings), clusterQueue),
        signal,
        ctx.resolved.endpoint
      ),
    [key]
  );
  const polled = usePolling<KueueResult>(load, key, ctx.settings.refreshSeconds);
  if (!polled.data) {
    if (polled.error)
      return (
        <ErrorNotice title="Kueue metrics failed" error={polled.error} onRetry={polled.refresh} />
      );
    return <Loading title="Loading Kueue metrics" />;
  }
  const { rows, error, queries } = polled.data;
  if (error)
    return <ErrorNotice title="Kueue queries failed" error={error} onRetry={polled.refresh} />;
  return (
    <Box data-testid="kubeprom-kueue">
      <SimpleTable
        columns={[
          {
            label: 'ClusterQueue',
            getter: (r: QueueRow) => (
              <span data-testid="kubeprom-kueue-cq" data-cq={r.clusterQueue}>
                {r.clusterQueue}
              </span>
            ),
          },
          {
            label: 'Pending',
            gridTemplate: 'min-content',
            getter: (r: QueueRow) => (
              <span data-testid="kubeprom-kueue-pending" data-value={r.pending ?? ''}>
                {formatValue(r.pending, 'count')}
              </span>
            ),
          },
          {
            label: 'Active',
            gridTemplate: 'min-content',
            getter: (r: QueueRow) => (
              <span data-testid="kubeprom-kueue-active" data-value={r.active ?? ''}>
                {formatValue(r.active, 'count')}
              </span>
            ),
          },
          {
            label: 'Inadmissible',
            gridTemplate: 'min-content',
            getter: (r: QueueRow) => (
              <span data-testid="kubeprom-kueue-inadmissible" data-value={r.inadmissible ?? ''}>
                {formatValue(r.inadmissible, 'count')}
              </span>
            ),
          },
          {
            label: 'Wait p95',
            gridTemplate: 'min-content',
            getter: (r: QueueRow) => (
              <span data-testid="kubeprom-kueue-wait" data-value={r.waitP95 ?? ''}>
                {formatValue(r.waitP95, 'seconds')}
              </span>
            ),
          },
          {
            label: 'Admitted',
            gridTemplate: 'min-content',
            getter: (r: QueueRow) => formatValue(r.admittedPerSecond, 'ops/s'),
          },
          {
            label: 'Waiting for',
            // The counts are short and the causes long: the causes' column takes the room the
            // counts leave, so each cause fits on its line where the page is wide enough.
            gridTemplate: 'minmax(min-content, max-content)',
            // One cause per line; the names are long CamelCase words, so lines may break
            // between their words only.
            getter: (r: QueueRow) => (
              <span data-testid="kubeprom-kueue-waiting-for">
                {r.waitingFor.length === 0
                  ? '—'
                  : r.waitingFor.map(w => (
                      <Box component="span" key={w.cause} sx={{ display: 'block' }}>
                        {camelCaseBreaks(w.cause)} {formatValue(w.workloads, 'count')}
                      </Box>
                    ))}
              </span>
            ),
          },
          {
            label: 'Pending requests',
            gridTemplate: 'max-content',
            getter: (r: QueueRow) => (
              <Box component="span" sx={{ whiteSpace: 'nowrap' }}>
                <span data-testid="kubeprom-kueue-pending-cpu" data-value={r.pendingCpu ?? ''}>
                  {formatValue(r.pendingCpu, 'cores')}
                </span>
                {', '}
                <span
                  data-testid="kubeprom-kueue-pending-memory"
                  data-value={r.pendingMemory ?? ''}
                >
                  {formatValue(r.pendingMemory, 'bytes')}
                </span>
              </Box>
            ),
          },
        ]}
        data={rows}
        emptyMessage={
          clusterQueue
            ? `Prometheus has no Kueue metrics for ClusterQueue ${clusterQueue}.`
            : 'Prometheus has no Kueue metrics (is Kueue scraped?).'
        }
      />
      <QueryList queries={queries} />
    </Box>
  );
}
