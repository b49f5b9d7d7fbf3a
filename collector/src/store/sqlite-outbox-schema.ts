// The SQLite table of the notification outbox: one row per (notification, channel), written in
// the same transaction as the alert change that caused it, claimed and delivered by the dispatcher.
export const OUTBOX_DDL = '';
