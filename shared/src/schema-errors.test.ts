// Schema errors as a person reads them: key paths in config notation and what is wrong.
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { compileSchema, joinPath, pointerToPath } from './schema-errors.js';
import { DURATION_PATTERN, SIZE_PATTERN } from './units.js';

describe('pointerToPath', () => {
  it('turns JSON pointers into config key paths', () => {
    expect(pointerToPath('')).toBe('');
    expect(pointerToPath('/')).toBe('');
    expect(pointerToPath('/collector/url')).toBe('collector.url');
    expect(pointerToPath('/checks/2/interval')).toBe('checks[2].interval');
    expect(pointerToPath('/checks/0/paths/1')).toBe('checks[0].paths[1]');
  });

  it('unescapes ~1 and ~0', () => {
    expect(pointerToPath('/a~1b/c~0d')).toBe('a/b.c~d');
  });
});

describe('joinPath', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(joinPath('', 'hostname')).toBe('hostname');
    expect(joinPath('buffer', 'max_size')).toBe('buffer.max_size');
    expect(joinPath('checks', '3')).toBe('checks[3]');
  });
});

const schema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    count: Type.Optional(Type.Integer({ minimum: 1 })),
    every: Type.Optional(Type.String({ pattern: DURATION_PATTERN })),
    size: Type.Optional(Type.String({ pattern: SIZE_PATTERN })),
    method: Type.Optional(Type.Union([Type.Literal('GET'), Type.Literal('HEAD')])),
    expect: Type.Optional(Type.Union([Type.Integer(), Type.Array(Type.Integer())])),
    nested: Type.Optional(
      Type.Object({ on: Type.Boolean(), list: Type.Array(Type.Number()) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
const validator = compileSchema(schema);

describe('compileSchema', () => {
  it('accepts a valid value with no issues', () => {
    const value = { name: 'x', count: 2, method: 'HEAD', expect: [200], nested: { on: true, list: [1] } };
    expect(validator.check(value)).toBe(true);
    expect(validator.issues(value)).toEqual([]);
  });

  it('names an unknown key by its own path', () => {
    expect(validator.issues({ name: 'x', nmae: 'y' })).toEqual([{ path: 'nmae', message: 'is not a known key' }]);
    expect(validator.issues({ name: 'x', nested: { on: true, list: [], extra: 1 } })).toEqual([
      { path: 'nested.extra', message: 'is not a known key' },
    ]);
  });

  it('lists several unknown keys of one mapping together', () => {
    expect(validator.issues({ name: 'x', a: 1, b: 2 })).toEqual([{ path: '', message: 'unknown keys: a, b' }]);
  });

  it('names a missing required key', () => {
    expect(validator.issues({})).toEqual([{ path: 'name', message: 'is required' }]);
    expect(validator.issues({ name: 'x', nested: {} })).toEqual([
      { path: 'nested', message: 'is missing required keys: on, list' },
    ]);
  });

  it('says which type is expected, in words', () => {
    expect(validator.issues({ name: 'x', count: 1.5 })).toEqual([{ path: 'count', message: 'must be a whole number' }]);
    expect(validator.issues({ name: 'x', nested: { on: 'yes', list: {} } })).toEqual(
      expect.arrayContaining([
        { path: 'nested.on', message: 'must be a boolean' },
        { path: 'nested.list', message: 'must be a list' },
      ]),
    );
    expect(validator.issues({ name: 'x', nested: { on: true, list: ['a'] } })).toEqual([
      { path: 'nested.list[0]', message: 'must be a number' },
    ]);
    expect(validator.issues({ name: 'x', nested: 3 })).toEqual([
      { path: 'nested', message: 'must be a mapping (key: value)' },
    ]);
  });

  it('explains durations and sizes with examples', () => {
    expect(validator.issues({ name: 'x', every: '-5s' })).toEqual([
      { path: 'every', message: 'must be a duration such as 30s, 15m, 6h or 7d' },
    ]);
    expect(validator.issues({ name: 'x', size: 'big' })).toEqual([
      { path: 'size', message: 'must be a size such as 500MB or 10GB' },
    ]);
  });

  it('lists the allowed values of a union of literals in one issue', () => {
    expect(validator.issues({ name: 'x', method: 'POST' })).toEqual([
      { path: 'method', message: 'must be one of: GET, HEAD' },
    ]);
  });

  it('joins the types a union allows instead of one issue per member', () => {
    expect(validator.issues({ name: 'x', expect: 'ok' })).toEqual([
      { path: 'expect', message: 'must be a whole number or a list' },
    ]);
  });

  it('reports the deeper problem inside a union member rather than "does not match"', () => {
    const issues = validator.issues({ name: 'x', expect: [200, 'ok'] });
    expect(issues).toContainEqual({ path: 'expect[1]', message: 'must be a whole number' });
    expect(issues.map((i) => i.message)).not.toContain('does not match any allowed form');
  });

  it('reports every problem, the most specific path first', () => {
    const issues = validator.issues({ name: '', count: 0, nested: { on: 1, list: [] } });
    expect(issues.map((i) => i.path)).toEqual(['nested.on', 'count', 'name']);
  });
});
