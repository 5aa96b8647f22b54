import { describe, expect, it } from 'vitest';
import { isAllowedPushEndpoint } from './push-subscription-store';

const hosts = ['fcm.googleapis.com', '*.notify.windows.com', '127.0.0.1:8443', '[::1]:9443'];

describe('push subscription endpoints the gateway may send to (SSRF allow-list)', () => {
  it('allows exact hosts on the default port, subdomains of a wildcard, and listed IP literals with their port', () => {
    for (const endpoint of [
      'https://fcm.googleapis.com/fcm/send/abc',
      'https://FCM.googleapis.com:443/fcm/send/abc',
      'https://db5p.notify.windows.com/w/?token=x',
      'https://a.b.notify.windows.com/w',
      'https://127.0.0.1:8443/push/1',
      'https://[::1]:9443/push/1',
    ]) {
      expect({ endpoint, allowed: isAllowedPushEndpoint(endpoint, hosts) }).toEqual({ endpoint, allowed: true });
    }
  });

  it('refuses other schemes, userinfo, other ports, look-alike hosts, bare wildcard domains and unlisted IPs', () => {
    for (const endpoint of [
      'http://fcm.googleapis.com/fcm/send/abc',
      'https://user:pass@fcm.googleapis.com/x',
      'https://fcm.googleapis.com@attacker.example/x',
      'https://fcm.googleapis.com:8443/x',
      'https://fcm.googleapis.com.attacker.example/x',
      'https://attackerfcm.googleapis.com/x',
      'https://notify.windows.com/x',
      'https://evil.example/.notify.windows.com',
      'https://127.0.0.1/x',
      'https://127.0.0.1:8444/x',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/x',
      'https://2130706433/x',
      'not a url',
    ]) {
      expect({ endpoint, allowed: isAllowedPushEndpoint(endpoint, hosts) }).toEqual({ endpoint, allowed: false });
    }
    expect(isAllowedPushEndpoint('https://fcm.googleapis.com/x', [])).toBe(false);
    expect(isAllowedPushEndpoint('https://1.2.3.4/x', ['*.3.4'])).toBe(false);
  });
});
