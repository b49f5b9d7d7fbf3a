import { describe, expect, it } from 'vitest';
import { hostView, MINUTE, ruleOptions, T0 } from '../../fixtures/rule-context.js';
import { notable, stepSiteRule } from '../../fixtures/rule-steps.js';
import type { HostView } from '../types.js';
import { siteOfflineRule } from './site-offline.js';

const defaults = ruleOptions(siteOfflineRule);
const host = (name: string, over: Partial<HostView> = {}) => hostView({ agent_id: `ag_${name}`, host: name, ...over });
const silentSince = (name: string, minutesAgo: number, now: number) =>
  host(name, { last_seen: now - minutesAgo * MINUTE });
const NOW = T0 + 60 * MINUTE;

describe('site_offline rule', () => {
  it('defaults: on, silent after 10 minutes, at least 2 silent agents', () => {
    expect(defaults).toEqual({ enabled: true, silentAfterMs: 10 * MINUTE, minHosts: 2, spreadMs: 2 * MINUTE });
  });

  it('all agents of a site silent → one critical site alert (target "")', () => {
    const hosts = [silentSince('EMR-SRV01', 12, NOW), silentSince('FRONT-DESK', 14, NOW), silentSince('NAS', 20, NOW)];
    const obs = siteOfflineRule.evaluate(defaults, hosts, NOW);
    expect(obs).toHaveLength(1);
    expect(obs[0]).toMatchObject({
      rule: 'site_offline',
      target: '',
      at: NOW,
      level: 'critical',
      value: 3,
      threshold: 2,
    });
    expect(obs[0]?.summary).toBe(
      'Site Main Street (Smith Dental) looks offline: all 3 running agents have been silent for at least 12 min ' +
        '(last report 09:48 UTC), longer than the allowed 10 min',
    );
  });

  it('one agent still reporting keeps the site online', () => {
    const hosts = [silentSince('EMR-SRV01', 12, NOW), silentSince('NAS', 20, NOW), silentSince('FRONT-DESK', 1, NOW)];
    const [obs] = siteOfflineRule.evaluate(defaults, hosts, NOW);
    expect(obs?.level).toBe('ok');
    expect(obs?.summary).toBe('Site Main Street (Smith Dental) is reachable: 1 of 3 agents report');
  });

  it('cleanly stopped workstations neither block nor count: two silent servers still make the site offline', () => {
    const hosts = [
      silentSince('EMR-SRV01', 15, NOW),
      silentSince('NAS', 15, NOW),
      host('FRONT-DESK', { state: 'stopping', last_seen: NOW - 300 * MINUTE }),
    ];
    const [obs] = siteOfflineRule.evaluate(defaults, hosts, NOW);
    expect(obs?.level).toBe('critical');
    expect(obs?.summary).toMatch(/; 1 more shut down cleanly$/);
  });

  it('a site where everything shut down cleanly is not offline', () => {
    const hosts = [host('A', { state: 'stopping' }), host('B', { state: 'stopping' })];
    expect(siteOfflineRule.evaluate(defaults, hosts, NOW)[0]?.level).toBe('ok');
  });

  it('a single silent agent is a host matter, not a site alert (min_hosts 2)', () => {
    const [obs] = siteOfflineRule.evaluate(defaults, [silentSince('EMR-SRV01', 30, NOW)], NOW);
    expect(obs?.level).toBe('ok');
    expect(obs?.summary).toBe(
      'Site Main Street (Smith Dental): 1 agent silent, 0 shut down cleanly; a site alert needs at least 2 silent',
    );
    const one = ruleOptions(siteOfflineRule, { min_hosts: 1 });
    expect(siteOfflineRule.evaluate(one, [silentSince('EMR-SRV01', 30, NOW)], NOW)[0]?.level).toBe('critical');
  });

  it('ignores retired agents', () => {
    const hosts = [
      silentSince('A', 30, NOW),
      silentSince('B', 30, NOW),
      host('OLD', { retired: true, last_seen: NOW }),
    ];
    expect(siteOfflineRule.evaluate(defaults, hosts, NOW)[0]?.level).toBe('critical');
  });
});

describe('site_offline through the alert transition (timer every minute)', () => {
  it('the whole site going quiet at once fires one site alert, and it resolves when one agent is back', () => {
    const frames = Array.from({ length: 30 }, (_, i) => ({
      now: T0 + i * MINUTE,
      hosts: ['EMR-SRV01', 'FRONT-DESK', 'NAS'].map((n) => host(n, { last_seen: T0 })),
    }));
    frames.push({
      now: T0 + 30 * MINUTE,
      hosts: [host('EMR-SRV01', { last_seen: T0 + 30 * MINUTE }), host('NAS', { last_seen: T0 })],
    });
    const steps = stepSiteRule(siteOfflineRule, defaults, frames);
    expect(notable(steps)).toEqual(['fired critical', 'resolved critical']);
    const fired = steps.find((s) => s.event === 'fired');
    expect(fired?.now).toBe(T0 + 11 * MINUTE);
    expect(fired?.alert).toMatchObject({
      rule: 'site_offline',
      host: '',
      agent_id: '',
      target: '',
      site: 'Main Street',
    });
  });
});
