// @vitest-environment node
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKubepromForTests } from '../testing/kubeprom';
import { AddressError, formatEndpoint, makeClient, parseAddress } from './endpoint';

beforeAll(loadKubepromForTests);

describe('parseAddress', () => {
  it('reads the namespace/service:port form of the official plugin', () => {
    expect(parseAddress('monitoring/prometheus-k8s:9090')).toEqual({
      kind: 'service',
      namespace: 'monitoring',
      name: 'prometheus-k8s',
      port: '9090',
    });
  });

  it('reads a scheme, a named port and a sub-path', () => {
    expect(parseAddress(' vm/https:vmselect:http/select/0/prometheus/ ')).toEqual({
      kind: 'service',
      namespace: 'vm',
      name: 'vmselect',
      port: 'http',
      scheme: 'https',
      path: '/select/0/prometheus',
    });
  });

  it('keeps full URLs as URLs', () => {
    expect(parseAddress('https://prom.example.com/prometheus/')).toEqual({
      kind: 'url',
      url: 'https://prom.example.com/prometheus',
    });
  });

  it.each([
    ['', 'empty'],
    ['prometheus:9090', 'namespace/service:port'],
    ['monitoring/prometheus', 'port is required'],
    ['Monitoring/prometheus:9090', 'not a valid namespace'],
    ['monitoring/prom_k8s:9090', 'not a valid service'],
    ['monitoring/prometheus:70000', 'not a valid port'],
    ['monitoring/ftp:prometheus:21', 'Unknown scheme'],
    ['http://', 'not a valid URL'],
  ])('refuses %j', (input, message) => {
    expect(() => parseAddress(input)).toThrow(AddressError);
    expect(() => parseAddress(input)).toThrow(message);
  });

  it('formats back to what it read', () => {
    for (const text of [
      'monitoring/prometheus-k8s:9090',
      'vm/https:vmselect:8481/select/0/prometheus',
    ]) {
      expect(formatEndpoint(parseAddress(text))).toBe(text);
    }
  });
});

describe('makeClient', () => {
  const backend = { origin: 'https://headlamp.example.com/headlamp', headers: {} };

  it('goes through Headlamp’s cluster proxy for services', () => {
    const client = makeClient(
      parseAddress('vm/https:vmselect:8481/select/0/prometheus'),
      'prod',
      backend
    );
    expect(client.baseUrl).toBe(
      'https://headlamp.example.com/headlamp/clusters/prod/api/v1/namespaces/vm/services/https:vmselect:8481/proxy/select/0/prometheus'
    );
  });

  it('uses the pod proxy for detected pods, relative to the page without an origin', () => {
    const client = makeClient(
      { kind: 'pod', namespace: 'monitoring', name: 'prometheus-0', port: '9090' },
      'kind-kind',
      { origin: '', headers: {} }
    );
    expect(client.baseUrl).toBe(
      '/clusters/kind-kind/api/v1/namespaces/monitoring/pods/prometheus-0:9090/proxy'
    );
  });

  it('talks to full URLs directly', () => {
    expect(makeClient(parseAddress('http://127.0.0.1:9090'), 'c', backend).baseUrl).toBe(
      'http://127.0.0.1:9090'
    );
  });
});
