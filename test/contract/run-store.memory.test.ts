import { InMemoryRunStore, InMemoryTemplateStore } from '../../src/engine/index.js';
import { runStoreContract } from './run-store.case.js';

runStoreContract('in-memory', {
  runs: async () => new InMemoryRunStore(),
  templates: async () => new InMemoryTemplateStore(),
});
