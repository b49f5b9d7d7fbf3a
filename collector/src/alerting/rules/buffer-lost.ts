// buffer_lost: an agent found its buffer file damaged and replaced it; the unsent results it held
// (the count, or "an unknown number") never reach the collector. A warning for show_for (1 day)
// from the moment the agent found it, so someone sees the gap in that host's history.
import Type from 'typebox';
import type { Observation, RuleTiming } from '../types.js';
import { durationOption, enabledOption, readDuration, readEnabled } from './options.js';
import type { HostRule } from './rule.js';
import { sayClock } from './wording.js';

export interface BufferLostOptions {
  showForMs: number;
}

const TIMING: RuleTiming = { warning: { forMs: 0, consecutive: 1 }, recoverConsecutive: 1 };

export const bufferLostRule: HostRule<BufferLostOptions> = {
  name: 'buffer_lost',
  scope: 'host',
  summary: "the agent's buffer was damaged and replaced (unsent results lost) → warning for show_for (1d)",
  options: Type.Object(
    {
      enabled: enabledOption(),
      show_for: durationOption('1d', 'how long the warning stays after the agent replaced its buffer'),
    },
    { additionalProperties: false },
  ),
  kinds: [],
  timeDriven: true,
  parse: (raw) => ({ enabled: readEnabled(raw), showForMs: readDuration(raw, 'show_for', true) }),
  evaluate(o, { host, now }) {
    const loss = host.buffer_lost;
    const base: Observation = {
      rule: 'buffer_lost',
      target: '',
      at: now,
      level: 'ok',
      value: loss?.lost ?? null,
      threshold: null,
      unit: 'results',
      summary: `${host.host}'s agent buffer is sound`,
      timing: TIMING,
    };
    if (!loss || now - loss.at > o.showForMs) return [base];
    const lost = loss.lost === null ? 'an unknown number of' : loss.lost.toLocaleString('en-US');
    return [
      {
        ...base,
        level: 'warning',
        summary:
          `the agent's buffer on ${host.host} was corrupted on ${sayClock(loss.at, now)} and was replaced; ` +
          `${lost} results not sent were lost`,
      },
    ];
  },
};
