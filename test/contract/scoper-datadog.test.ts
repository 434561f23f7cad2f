import { scopers } from '../../src/scoping/index.js';
import { scoperContract } from './scopers.case.js';

const datadog = scopers.get('datadog');
if (!datadog) throw new Error('datadog scoper not registered');

scoperContract({
  scoper: datadog,
  label: 'argo-rollouts-status',
  query: 'sum:trace.http.request.errors{service:checkout}.as_count() / sum:trace.http.request.hits{service:checkout}.as_count()',
  selections: 2,
  alreadyScoped: 'sum:trace.http.request.hits{service:checkout,argo-rollouts-status:stable}.as_count()',
  broken: ['avg:system.cpu{host:a', 'avg system.cpu{*}', ''],
  invalidLabel: 'bad tag{}',
  tokens: ['avg', 'sum:', 'a.b', 'x', '{', '}', '(', ')', '{*}', '{a:b}', '{a:b OR c:d}', '{!a:b}', ',', ':', '.as_count()', ' by ', '{host}', 'AND', 'IN', ' ', '\n', '+', '/', '-', '1', "'s'", 'top(', '=', '!', '*'],
});
