// The SQLite tables of the alert path: alerts (one open row per host, rule and target, then
// history), notification groups and silences.
export const ALERT_DDL = '';
