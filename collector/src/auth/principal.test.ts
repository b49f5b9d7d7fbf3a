import { describe, expect, it } from 'vitest';
import { canAct, canSee, ForbiddenError, type Principal, requireRole } from './principal.js';

const principal = (overrides: Partial<Principal>): Principal => ({
  kind: 'api_key',
  id: 'ak_1',
  name: 'psa',
  role: 'technician',
  clients: null,
  ...overrides,
});

describe('principal', () => {
  it('sees every client when not limited, and only its own clients when limited', () => {
    expect(canSee(principal({ clients: null }), 'Eastside')).toBe(true);
    expect(canSee(principal({ clients: ['Northside'] }), 'Northside')).toBe(true);
    expect(canSee(principal({ clients: ['Northside'] }), 'Eastside')).toBe(false);
    expect(canSee(principal({ clients: [] }), 'Northside')).toBe(false);
  });

  it('lets technicians and admins act on the clients they see, and viewers never', () => {
    expect(canAct(principal({ role: 'technician', clients: ['Northside'] }), 'Northside')).toBe(true);
    expect(canAct(principal({ role: 'technician', clients: ['Northside'] }), 'Eastside')).toBe(false);
    expect(canAct(principal({ role: 'admin' }), 'Eastside')).toBe(true);
    expect(canAct(principal({ role: 'viewer' }), 'Northside')).toBe(false);
  });

  it('refuses a role it does not hold with a 403 that names the principal and the roles needed', () => {
    expect(() => requireRole(principal({ role: 'admin' }), ['admin'], 'manage keys')).not.toThrow();
    let error: unknown;
    try {
      requireRole(principal({ role: 'viewer', name: 'owner' }), ['admin', 'technician'], 'acknowledge alerts');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ statusCode: 403, code: 'forbidden' });
    expect((error as Error).message).toBe(
      'viewer owner may not acknowledge alerts; that needs the role admin or technician',
    );
  });
});
