// The login screen: email and password to POST /api/v1/session. Says why a login failed in
// words, and counts down a rate limit ("too many attempts, try again in 540 s").
import { type Api, ApiError, type Session } from './api.js';
import { h, replace } from './dom.js';

export function renderLogin(root: HTMLElement, api: Api, onLoggedIn: (session: Session) => void): void {
  const email = h('input#login-email', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input#login-password', {
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const message = h('p.login-message', { role: 'alert', 'aria-live': 'polite' });
  const submit = h('button.primary', { type: 'submit' }, 'Log in');
  let countdown: number | undefined;

  const blockFor = (seconds: number) => {
    window.clearInterval(countdown);
    const until = Date.now() + seconds * 1000;
    const tick = () => {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0 || !message.isConnected) {
        window.clearInterval(countdown);
        if (message.isConnected) replace(message);
        submit.disabled = false;
        return;
      }
      message.className = 'login-message error';
      replace(message, `Too many attempts, try again in ${left} s.`);
    };
    submit.disabled = true;
    tick();
    countdown = window.setInterval(tick, 1000);
  };

  const form = h(
    'form.login-card',
    {
      onsubmit: async (event: Event) => {
        event.preventDefault();
        submit.disabled = true;
        message.className = 'login-message';
        replace(message, 'Logging in…');
        try {
          const session = await api.post<Session>('/api/v1/session', {
            email: email.value.trim(),
            password: password.value,
          });
          window.clearInterval(countdown);
          onLoggedIn(session);
        } catch (error) {
          submit.disabled = false;
          password.value = '';
          message.className = 'login-message error';
          if (error instanceof ApiError && error.status === 429) {
            blockFor(error.retryAfterSeconds ?? 60);
          } else if (error instanceof ApiError && error.status === 401) {
            replace(message, 'Email or password is wrong.');
          } else {
            replace(message, `Could not log in: ${error instanceof Error ? error.message : String(error)}`);
          }
          password.focus();
        }
      },
    },
    h('div.brand.brand-large', {}, h('span.brand-mark', { 'aria-hidden': 'true' }), 'Vitals'),
    h('p.login-lead', {}, 'Sign in to see your fleet.'),
    h('label', { for: 'login-email' }, 'Email'),
    email,
    h('label', { for: 'login-password' }, 'Password'),
    password,
    submit,
    message,
  );
  replace(root, h('div.login-screen', {}, form));
  email.focus();
}
