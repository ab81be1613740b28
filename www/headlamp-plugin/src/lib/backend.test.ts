import { describe, expect, it } from 'vitest';
import { backendOrigin } from './backend';

describe('backendOrigin', () => {
  it('is the page origin in a browser deployment', () => {
    expect(backendOrigin({ origin: 'https://headlamp.example.com' })).toBe(
      'https://headlamp.example.com'
    );
  });
  it('adds the base URL Headlamp was deployed under', () => {
    expect(backendOrigin({ origin: 'https://x.example', headlampBaseUrl: '/headlamp/' })).toBe(
      'https://x.example/headlamp'
    );
    expect(backendOrigin({ origin: 'https://x.example', headlampBaseUrl: './' })).toBe(
      'https://x.example'
    );
  });
  it('is localhost in the desktop app, on the port Electron chose', () => {
    expect(backendOrigin({ origin: 'file://', processType: 'renderer' })).toBe(
      'http://localhost:4466'
    );
    expect(
      backendOrigin({
        origin: 'file://',
        userAgent: 'Mozilla/5.0 Electron/30',
        headlampBackendPort: 5123,
      })
    ).toBe('http://localhost:5123');
  });
  it('is the Docker Desktop extension backend there', () => {
    expect(backendOrigin({ origin: 'https://dd', dockerDesktop: true })).toBe(
      'http://localhost:64446'
    );
  });
});
