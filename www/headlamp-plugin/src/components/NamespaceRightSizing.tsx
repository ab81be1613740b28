import { Link, SimpleTable } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import { Box, FormControlLabel, Switch, Tooltip, Typography } from '@mui/material';
import type { ContainerAdvice } from 'kubeprom';
import { useState } from 'react';
import {
  namespaceRightSizingSpec,
  needsChange,
  rightSizingSummary,
  workloadId,
  workloadRoute,
} from '../lib/rightSizing';
import { planContext } from '../lib/settings';
import type { SectionContext } from './MetricsSection';
import { QueryList } from './QueryList';
import {
  adviceColumns,
  CopyButton,
  CopyCommand,
  MethodCaption,
  RightSizingAnswer,
} from './RightSizing';

/** The workload's name as a link to its Headlamp page, its kind beside it. */
function WorkloadName(props: { namespace: string; advice: ContainerAdvice }) {
  const { namespace, advice } = props;
  const route = workloadRoute(namespace, advice.workload);
  return (
    <span data-testid="kubeprom-rightsizing-workload" data-workload={workloadId(advice.workload)}>
      {/* The name never breaks (at its hyphens); on a narrow page the kind goes under it. */}
      <Box component="span" sx={{ whiteSpace: 'nowrap' }}>
        <Link routeName={route.routeName} params={route.params}>
          {advice.workload.name}
        </Link>
      </Box>{' '}
      <Typography component="span" variant="caption" color="text.secondary">
        {advice.workload.kind}
      </Typography>
    </span>
  );
}

/**
 * Each column as wide as its text, the spare room shared out (`auto`), and never narrower than
 * its longest unbreakable part (`min-content`: Headlamp's cells hide their overflow, which would
 * otherwise let a column shrink under its names). With half of Headlamp's cell padding across,
 * the eight columns keep names and numbers on one line in a page of 1280 px; a narrower page
 * puts a recommendation under its current value, and a workload's kind under its name, before
 * the table scrolls.
 */
const TRACK = 'minmax(min-content, auto)';
const COMPACT = { '& .MuiTable-root .MuiTableCell-root': { px: 1 } };

function WorkloadsTable(props: {
  namespace: string;
  containers: ContainerAdvice[];
  queries: string[];
}) {
  const { namespace, containers, queries } = props;
  const [onlyToChange, setOnlyToChange] = useState(false);
  const toChange = containers.filter(needsChange).length;
  const commands = containers.filter(c => c.kubectl);
  return (
    <Box data-testid="kubeprom-rightsizing">
      <MethodCaption />
      {containers.length > 0 && (
        <Box
          sx={{ display: 'flex', alignItems: 'center', flexWrap: 'wrap', columnGap: 2, mb: 1 }}
        >
          <Typography variant="body2" data-testid="kubeprom-rightsizing-summary">
            {rightSizingSummary(containers)}
          </Typography>
          <FormControlLabel
            control={
              <Switch
                size="small"
                checked={onlyToChange}
                onChange={e => setOnlyToChange(e.target.checked)}
                inputProps={{ 'aria-label': 'Only containers to change' }}
              />
            }
            label={
              <Typography variant="body2">Only containers to change ({toChange})</Typography>
            }
          />
        </Box>
      )}
      <SimpleTable
        columns={[
          {
            label: 'Workload',
            gridTemplate: TRACK,
            getter: (c: ContainerAdvice) => <WorkloadName namespace={namespace} advice={c} />,
          },
          {
            label: 'Container',
            gridTemplate: TRACK,
            getter: (c: ContainerAdvice) => (
              <Box
                component="span"
                sx={{ whiteSpace: 'nowrap' }}
                data-testid="kubeprom-rightsizing-container"
                data-container={c.container}
              >
                {c.container}
              </Box>
            ),
          },
          ...adviceColumns(TRACK),
          {
            label: 'kubectl',
            gridTemplate: 'min-content',
            getter: (c: ContainerAdvice) =>
              c.kubectl ? (
                <Tooltip title={c.kubectl}>
                  {/* The tooltip needs an element to hold its ref and events. */}
                  <span>
                    <CopyButton
                      command={c.kubectl}
                      ariaLabel={`Copy kubectl set resources for ${workloadId(c.workload)} ${
                        c.container
                      }`}
                      testId="kubeprom-rightsizing-copy"
                    />
                  </span>
                </Tooltip>
              ) : (
                '—'
              ),
          },
        ]}
        data={containers}
        sx={COMPACT}
        filterFunction={onlyToChange ? needsChange : null}
        emptyMessage="Prometheus has no usage for the pods of this namespace's workloads."
      />
      {commands.length > 0 && (
        <Box component="details" sx={{ mt: 1 }}>
          <Typography component="summary" variant="caption" sx={{ cursor: 'pointer' }}>
            kubectl set resources ({commands.length}{' '}
            {commands.length === 1 ? 'command' : 'commands'})
          </Typography>
          {commands.map(c => (
            <CopyCommand key={`${workloadId(c.workload)}/${c.container}`} command={c.kubectl!} />
          ))}
        </Box>
      )}
      <QueryList queries={queries} />
    </Box>
  );
}

/**
 * Right-sizing of every workload of a namespace (pods joined to their Deployment, StatefulSet,
 * DaemonSet, Job or CronJob by ownership): one row per container, in the core's order (workload
 * name, kind, container name), each row naming its workload with a link to its page, so a row
 * reads on its own on any page of the table or through the filter. The same numbers as each
 * workload's own section. A namespace of many workloads stays readable: a line counts the
 * statuses, a switch leaves only the containers to change, Headlamp's table pages long lists,
 * and each row copies its own `kubectl set resources` command (all of them listed, folded,
 * under the table).
 */
export function NamespaceRightSizing(props: { ctx: SectionContext; namespace: string }) {
  const { ctx, namespace } = props;
  const spec = namespaceRightSizingSpec(planContext(ctx.settings), namespace);
  return (
    <RightSizingAnswer ctx={ctx} spec={spec}>
      {(containers, queries) => (
        <WorkloadsTable namespace={namespace} containers={containers} queries={queries} />
      )}
    </RightSizingAnswer>
  );
}
