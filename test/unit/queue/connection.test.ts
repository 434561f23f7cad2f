/**
 * Redis URL forms the service accepts: single node, TLS, Sentinel and Cluster — and the errors
 * for the rest, without echoing a password.
 */
import { describe, expect, it } from 'vitest';
import { parseRedisUrl } from '../../../src/queue/index.js';

describe('parseRedisUrl', () => {
  it.each([
    ['redis://127.0.0.1:6379', { mode: 'single', nodes: [{ host: '127.0.0.1', port: 6379 }], tls: false }],
    ['redis://:pa%40ss@redis:6380/2', { mode: 'single', nodes: [{ host: 'redis', port: 6380 }], password: 'pa@ss', db: 2 }],
    ['rediss://user:pw@cache.example.com:6380', { mode: 'single', tls: true, username: 'user', password: 'pw' }],
    ['redis+sentinel://s1:26379,s2:26380/mymaster', { mode: 'sentinel', masterName: 'mymaster', nodes: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }] }],
    ['redis+sentinel://s1,s2/mymaster', { mode: 'sentinel', nodes: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }] }],
    ['redis+cluster://n1:7000,n2:7001,n3:7002', { mode: 'cluster', nodes: [{ host: 'n1', port: 7000 }, { host: 'n2', port: 7001 }, { host: 'n3', port: 7002 }] }],
  ])('when the URL is %s then it parses', (url, expected) => {
    expect(parseRedisUrl(url)).toMatchObject(expected);
  });

  it.each([
    ['http://redis:6379', 'expected redis://host:port'],
    ['redis+sentinel://s1:26379', 'master name'],
    ['redis://redis:notaport', 'invalid port'],
    ['redis://redis:6379/zero', 'invalid Redis database'],
  ])('when the URL is %s then the error says what is valid', (url, words) => {
    expect(() => parseRedisUrl(url)).toThrow(words);
  });

  it('when a URL with a password is rejected then the password is not in the message', () => {
    expect(() => parseRedisUrl('http://:hunter2@redis:6379')).toThrow(/^(?!.*hunter2)/s);
  });
});
