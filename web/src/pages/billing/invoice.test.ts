import { afterEach, describe, expect, it, vi } from 'vitest';
import { openBlobInTab } from './invoice';

afterEach(() => vi.restoreAllMocks());

describe('openBlobInTab', () => {
  it('opens the tab first and points it at the blob', async () => {
    const tab = { location: { href: '' }, close: vi.fn() };
    const open = vi.fn(() => tab as unknown as Window);
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:x');
    let loaded = false;
    await openBlobInTab(async () => {
      expect(open).toHaveBeenCalledTimes(1); // before the fetch ends
      loaded = true;
      return new Blob(['<html></html>'], { type: 'text/html' });
    }, { open });
    expect(loaded).toBe(true);
    expect(tab.location.href).toBe('blob:x');
    expect(tab.close).not.toHaveBeenCalled();
  });
  it('closes the tab when the fetch fails', async () => {
    const tab = { location: { href: '' }, close: vi.fn() };
    const open = vi.fn(() => tab as unknown as Window);
    await expect(openBlobInTab(async () => Promise.reject(new Error('404')), { open })).rejects.toThrow('404');
    expect(tab.close).toHaveBeenCalled();
  });
});
