import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router';

const post = vi.fn();
vi.mock('../../api/client', () => ({ api: { POST: (...a: unknown[]) => post(...a) } }));

const { default: ResetPasswordPage } = await import('./ResetPasswordPage');

function renderPage() {
  const qc = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <MemoryRouter>
        <ResetPasswordPage />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

afterEach(() => {
  cleanup();
  post.mockReset();
});

describe('ResetPasswordPage', () => {
  it('checks the address before asking the API', async () => {
    renderPage();
    fireEvent.change(screen.getByLabelText(/Email/), { target: { value: 'not-an-address' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send the link' }));
    expect(await screen.findByText(/an email address such as/)).toBeTruthy();
    expect(post).not.toHaveBeenCalled();
  });
  it('asks for the link and says it is on its way', async () => {
    post.mockResolvedValue({ data: { detail: 'ok' }, response: new Response(null, { status: 202 }) });
    renderPage();
    fireEvent.change(screen.getByLabelText(/Email/), { target: { value: ' ann@example.com ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send the link' }));
    expect(await screen.findByRole('status')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toContain('ann@example.com');
    expect(post).toHaveBeenCalledWith('/v1/auth/password-reset', { body: { email: 'ann@example.com' } });
  });
  it('shows the API problem on the field', async () => {
    post.mockResolvedValue({
      error: { type: 'rate-limited', title: 'Too many requests', status: 429, detail: 'try again in a minute' },
      response: new Response(null, { status: 429 }),
    });
    renderPage();
    fireEvent.change(screen.getByLabelText(/Email/), { target: { value: 'ann@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send the link' }));
    expect(await screen.findByText('Too many requests')).toBeTruthy();
    expect(screen.getByText(/try again in a minute/)).toBeTruthy();
  });
});
