import { describe, expect, it } from 'vitest';
import { agentStatus } from './agent-status.js';
import { hostFacts } from './fixtures/reports.js';
import type { AgentRecord } from './store/store.js';

const agent: AgentRecord = {
  id: 'ag_1',
  client: 'c',
  site: 's',
  hostname: 'h',
  facts: hostFacts('h'),
  enrolled_at: 0,
  last_seen: 1000,
  last_boot_id: null,
  state: 'running',
  dropped_total: 0,
  buffer_depth: 0,
  retired_at: null,
  last_seq: null,
};

describe('agentStatus', () => {
  it('is online until the silence limit passes, then silent', () => {
    expect(agentStatus(agent, 1000 + 600_000, 600_000)).toBe('online');
    expect(agentStatus(agent, 1001 + 600_000, 600_000)).toBe('silent');
  });
  it('is offline after a clean shutdown, however long ago', () => {
    expect(agentStatus({ ...agent, state: 'stopping' }, 1e12, 600_000)).toBe('offline');
  });
  it('is retired once retired', () => {
    expect(agentStatus({ ...agent, state: 'stopping', retired_at: 5 }, 0, 600_000)).toBe('retired');
  });
});
