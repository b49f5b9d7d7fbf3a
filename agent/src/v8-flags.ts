// V8 settings the agent gives itself before any other module is evaluated (main.ts imports this
// first). The agent runs small, short pieces of code once a minute; V8's optimising compilers
// (TurboFan, Maglev, Sparkplug) would compile the few warm functions to machine code, which costs
// far more memory than it saves time: their compiler zones leave megabytes in malloc and their
// code pages of the node binary become resident. Interpreted only, `vitals run` keeps ~8 MB less
// resident for a few milliseconds more CPU per check cycle (measured: test/bench/agents.mjs).
// VITALS_V8_OPTIMIZE=1 keeps V8's defaults (to compare, or for a heavy one-off command).
import { setFlagsFromString } from 'node:v8';

export const INTERPRETER_ONLY_FLAGS = ['--no-opt', '--no-maglev', '--no-sparkplug'] as const;

export function applyAgentV8Flags(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.VITALS_V8_OPTIMIZE === '1') return false;
  for (const flag of INTERPRETER_ONLY_FLAGS) setFlagsFromString(flag);
  return true;
}

applyAgentV8Flags();
