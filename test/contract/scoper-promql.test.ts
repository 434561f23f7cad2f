import { promqlScoper } from '../../src/scoping/index.js';
import { scoperContract } from './scopers.case.js';

scoperContract({
  scoper: promqlScoper,
  label: 'argo_rollouts_status',
  query: 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
  selections: 2,
  alreadyScoped: 'sum(rate(http_requests_total{argo_rollouts_status=~"canary|stable"}[5m]))',
  broken: ['sum(rate(x[5m])', 'x{a=}', ''],
  invalidLabel: 'argo-rollouts-status',
  tokens: ['x', 'up', '{', '}', '(', ')', '[5m]', '[5m:1m]', 'a', '=', '!~', '"b"', "'c'", ',', 'rate', 'sum', 'by', 'on', 'group_left', 'offset', '5m', '@', '+', 'and', '#', '\n', ' ', '1', '"m.dots"', 'info'],
});
