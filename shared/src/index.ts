// Everything agent and collector share: status vocabulary, wire schemas, config helpers.

export * from './closed-pipe.js';
export * from './config-file.js';
export * from './disk-thresholds.js';
export * from './protocol.js';
export * from './result.js';
export * from './schema-errors.js';
export * from './schema-reference.js';
export * from './status.js';
export * from './terminal-text.js';
export * from './units.js';
