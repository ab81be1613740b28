import { NameValueTable } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import { useClustersConf } from '@kinvolk/headlamp-plugin/lib/k8s';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  MenuItem,
  Select,
  TextField,
  Typography,
} from '@mui/material';
import { listProfiles } from 'kubeprom';
import { useEffect, useState } from 'react';
import { detectDeps, usePrometheus } from '../hooks';
import { AddressError, formatEndpoint, parseAddress } from '../lib/endpoint';
import { describeError } from '../lib/errors';
import { kubepromLoaded, kubepromReady } from '../lib/kubeprom';
import type { RangeKey } from '../lib/plan';
import { RANGE_KEYS } from '../lib/plan';
import type { ClusterSettings, PluginConfig } from '../lib/settings';
import {
  DEFAULT_REFRESH_SECONDS,
  DEFAULT_SCRAPE_INTERVAL,
  MULTI_CLUSTER_PROFILE,
  scrapeIntervalSeconds,
  SOURCE_LABELS,
} from '../lib/settings';
import { CustomMetricsEditor } from './CustomMetricsEditor';

interface SettingsProps {
  data?: PluginConfig;
  onDataChange?: (data: PluginConfig) => void;
}

/** What is in use for the saved settings of a cluster, and how it was found. */
function InUse(props: { cluster: string }) {
  const prom = usePrometheus(props.cluster);
  if (prom.status === 'loading')
    return <Typography variant="body2">Finding Prometheus…</Typography>;
  if (prom.status === 'error') {
    return (
      <Alert severity="warning" data-testid="kubeprom-settings-inuse">
        {prom.error.summary}
        {prom.attempts.length > 0 && (
          <Box component="ul" sx={{ m: 0, pl: 2 }}>
            {prom.attempts.map((a, i) => (
              <li key={i}>
                {a.what}: {a.outcome}
              </li>
            ))}
          </Box>
        )}
      </Alert>
    );
  }
  const e = prom.settings;
  return (
    <Box>
      <Typography
        variant="body2"
        data-testid="kubeprom-settings-inuse"
        data-source={prom.resolved.source}
      >
        <b>{SOURCE_LABELS[prom.resolved.source]}</b>: {formatEndpoint(prom.resolved.endpoint)} —{' '}
        {prom.resolved.how.replace(`${SOURCE_LABELS[prom.resolved.source]}: `, '')}
      </Typography>
      {e.clusterLabelValue && (
        <Typography variant="caption" color="text.secondary" component="div">
          Series selected with cluster="{e.clusterLabelValue}" (
          {e.clusterLabelFrom === 'setting'
            ? 'your setting'
            : e.clusterLabelFrom === 'admin default'
            ? 'admin default'
            : 'the Headlamp cluster name'}
          , profile {e.profile}).
        </Typography>
      )}
    </Box>
  );
}

export function Settings(props: SettingsProps) {
  const { data = {}, onDataChange } = props;
  const clusters = Object.keys(useClustersConf() || {});
  const [cluster, setCluster] = useState('');
  const [profiles, setProfiles] = useState<string[]>([]);
  const [test, setTest] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    if (!cluster && clusters.length > 0) setCluster(clusters[0]);
  }, [clusters.join(','), cluster]);
  useEffect(() => {
    kubepromReady()
      .then(() => setProfiles(listProfiles()))
      .catch(() => setProfiles([]));
  }, []);

  const current: ClusterSettings = data[cluster] ?? {};
  const update = (patch: Partial<ClusterSettings>) => {
    setTest(null);
    onDataChange?.({ ...data, [cluster]: { ...current, ...patch } });
  };

  let addressError: string | undefined;
  if (current.address?.trim()) {
    try {
      parseAddress(current.address);
    } catch (e) {
      addressError = e instanceof AddressError ? e.message : String(e);
    }
  }
  const clusterLabelError =
    current.clusterLabelValue?.trim() &&
    current.profile &&
    current.profile !== MULTI_CLUSTER_PROFILE
      ? `The ${current.profile} profile has no cluster label: choose ${MULTI_CLUSTER_PROFILE} (or leave the profile on default).`
      : undefined;
  // kubeprom reads the interval; the profiles arriving re-render this once it has loaded.
  const scrapeError =
    current.scrapeInterval &&
    kubepromLoaded() &&
    Number.isNaN(scrapeIntervalSeconds(current.scrapeInterval))
      ? 'Use a duration such as 15s, 30s or 1m.'
      : undefined;

  const testAddress = async () => {
    setTest({ ok: true, text: 'Testing…' });
    try {
      await kubepromReady();
      await detectDeps(cluster).probe(parseAddress(current.address ?? ''));
      setTest({ ok: true, text: 'Prometheus answered.' });
    } catch (e) {
      const d = describeError(e);
      setTest({ ok: false, text: `${d.summary}${d.hint ? ` — ${d.hint}` : ''}` });
    }
  };

  if (clusters.length === 0) {
    return <Typography>No clusters configured in Headlamp.</Typography>;
  }

  return (
    <Box>
      <NameValueTable
        rows={[
          {
            name: 'Cluster',
            value: (
              <Select
                size="small"
                value={cluster}
                onChange={e => setCluster(String(e.target.value))}
              >
                {clusters.map(c => (
                  <MenuItem key={c} value={c}>
                    {c}
                  </MenuItem>
                ))}
              </Select>
            ),
          },
          {
            name: 'In use (saved settings)',
            value: cluster ? <InUse cluster={cluster} /> : null,
          },
          {
            name: 'Prometheus address',
            value: (
              <Box display="flex" gap={1} alignItems="flex-start">
                <TextField
                  size="small"
                  fullWidth
                  placeholder="auto-detect"
                  value={current.address ?? ''}
                  error={!!addressError}
                  helperText={
                    addressError ??
                    'Empty: auto-detect. Or namespace/service:port, namespace/https:service:port, ' +
                      'followed by an optional sub-path (vm/vmselect:8481/select/0/prometheus), ' +
                      'or a full http(s):// URL (the browser fetches it directly; needs CORS).'
                  }
                  onChange={e => update({ address: e.target.value })}
                />
                <Button
                  variant="outlined"
                  disabled={!current.address || !!addressError}
                  onClick={testAddress}
                >
                  Test
                </Button>
              </Box>
            ),
          },
          ...(test
            ? [
                {
                  name: '',
                  value: <Alert severity={test.ok ? 'success' : 'error'}>{test.text}</Alert>,
                },
              ]
            : []),
          {
            name: 'Label profile',
            value: (
              <Select
                size="small"
                displayEmpty
                value={current.profile ?? ''}
                onChange={e => update({ profile: String(e.target.value) || undefined })}
              >
                <MenuItem value="">default (kube-prometheus-stack)</MenuItem>
                {profiles.map(p => (
                  <MenuItem key={p} value={p}>
                    {p}
                  </MenuItem>
                ))}
              </Select>
            ),
          },
          {
            name: 'Cluster label value',
            value: (
              <TextField
                size="small"
                value={current.clusterLabelValue ?? ''}
                placeholder={current.profile === MULTI_CLUSTER_PROFILE ? cluster : ''}
                error={!!clusterLabelError}
                helperText={
                  clusterLabelError ??
                  "For a Prometheus shared by several clusters (federation, Thanos, Mimir): this cluster's value of the cluster label, so other clusters' series are never summed in. Setting it picks the multi-cluster profile; with that profile and no value, the Headlamp cluster name is used."
                }
                onChange={e => update({ clusterLabelValue: e.target.value || undefined })}
              />
            ),
          },
          {
            name: 'Scrape interval',
            value: (
              <TextField
                size="small"
                value={current.scrapeInterval ?? ''}
                placeholder={`${DEFAULT_SCRAPE_INTERVAL}s`}
                error={!!scrapeError}
                helperText={scrapeError ?? 'Rate windows are at least four scrape intervals.'}
                onChange={e => update({ scrapeInterval: e.target.value || undefined })}
              />
            ),
          },
          {
            name: 'Refresh every (seconds)',
            value: (
              <TextField
                size="small"
                type="number"
                value={current.refreshSeconds ?? ''}
                placeholder={String(DEFAULT_REFRESH_SECONDS)}
                helperText="0 turns refreshing off. Refreshing pauses while the tab is hidden."
                onChange={e =>
                  update({
                    refreshSeconds:
                      e.target.value === '' ? undefined : Math.max(0, Number(e.target.value)),
                  })
                }
              />
            ),
          },
          {
            name: 'Workload charts',
            value: (
              <FormControlLabel
                control={
                  <Checkbox
                    checked={current.stacked === true}
                    onChange={e => update({ stacked: e.target.checked || undefined })}
                  />
                }
                label="Stack the pods as areas (default: one line per pod)"
              />
            ),
          },
          {
            name: 'Custom metrics',
            value: (
              <CustomMetricsEditor
                value={current.customMetrics ?? []}
                onChange={customMetrics => update({ customMetrics })}
              />
            ),
          },
          {
            name: 'Default range',
            value: (
              <Select
                size="small"
                value={current.defaultRange ?? '1h'}
                onChange={e => update({ defaultRange: e.target.value as RangeKey })}
              >
                {RANGE_KEYS.map(r => (
                  <MenuItem key={r} value={r}>
                    {r}
                  </MenuItem>
                ))}
              </Select>
            ),
          },
        ]}
      />
    </Box>
  );
}
