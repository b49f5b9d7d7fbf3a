// The pages' one way to the API: fetch with JSON, the CSRF header on every state change, and a
// 401 that turns into the login screen. Errors carry the API's {error, message}.

export type Role = 'admin' | 'technician' | 'viewer';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  clients: string[] | null;
}

export interface Session {
  user: User;
  csrf_token: string;
  expires_at: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

const STATE_CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class Api {
  /** The session the CSRF token comes from; null when logged out. */
  session: Session | null = null;

  /** Called when the API answers 401 to anything but a login: the shell shows the login screen. */
  constructor(private readonly onUnauthorized: () => void) {}

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, signal);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (STATE_CHANGES.has(method) && this.session) headers['x-csrf-token'] = this.session.csrf_token;
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      throw new ApiError(res.status, 'bad_answer', `${method} ${path} answered ${res.status} with something not JSON`);
    }
    if (res.ok) return json as T;
    const { error = 'error', message = `${method} ${path} answered ${res.status}` } = (json ?? {}) as {
      error?: string;
      message?: string;
    };
    const retry = res.headers.get('retry-after');
    const failure = new ApiError(res.status, error, message, retry === null ? null : Number(retry));
    if (res.status === 401 && !(method === 'POST' && path === '/api/v1/session')) {
      this.session = null;
      this.onUnauthorized();
    }
    throw failure;
  }
}
