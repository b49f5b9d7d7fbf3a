// Types for tool-footprint.mjs (plain JS so the bench runs with `node` alone), for its tests.
export interface Stat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
  threads: number;
}
export interface Sample {
  at: number;
  processes: number;
  threads: number;
  ticks: number;
  pss: number;
  rss: number;
  anon: number;
  pssAlone: number;
  ownFiles: number;
}
export const CLK_TCK: number;
export function parseStat(text: string): Stat;
export function processTree(rootPid: number): Stat[];
export function cpuTicks(tree: Stat[]): number;
export function rollup(tree: Stat[]): { pss: number; rss: number; anon: number };
export function ownFileMappings(smapsText: string): Map<string, { rss: number; pss: number }>;
export function pssAlone(tree: Stat[], plainPss: number): { pssAlone: number; ownFiles: number };
export function sample(rootPid: number): Sample;
export function summary(values: number[]): { avg: number; max: number; end: number };
