import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { gsmLookAlike, SmsCounter } from './SmsCounter';

afterEach(cleanup);

describe('SmsCounter', () => {
  it('says GSM-7 and counts septets, extension characters two', () => {
    render(<SmsCounter text="Price: 5€ {ok}" onReplace={() => {}} />);
    expect(screen.getByText('GSM-7')).toBeTruthy();
    expect(screen.getByTestId('counter').textContent).toBe('17 septets · 1 segment of 160 · 143 left');
    expect(screen.queryByTestId('highlighted')).toBeNull();
  });
  it('says UCS-2 and highlights only the characters that force it', () => {
    render(<SmsCounter text="It’s Zoë 👋" onReplace={() => {}} />);
    expect(screen.getByText('UCS-2')).toBeTruthy();
    // 9 BMP characters and an emoji of two units.
    expect(screen.getByTestId('counter').textContent).toBe('11 characters · 1 segment of 70 · 59 left');
    const marks = Array.from(screen.getByTestId('highlighted').querySelectorAll('mark'), (m) => m.textContent);
    expect(marks).toEqual(['’', 'ë', '👋']);
  });
  it('offers GSM look-alikes for smart quotes and dashes', () => {
    const onReplace = vi.fn();
    render(<SmsCounter text="“Sale” – 20% off…" onReplace={onReplace} />);
    fireEvent.click(screen.getByRole('button', { name: /look-alikes/ }));
    expect(onReplace).toHaveBeenCalledWith('"Sale" - 20% off...');
    expect(gsmLookAlike('It’s')).toBe("It's");
  });
  it('warns past 10 segments', () => {
    render(<SmsCounter text={'a'.repeat(1531)} onReplace={() => {}} />);
    expect(screen.getByTestId('counter').textContent).toBe('1531 septets · 11 segments of 153 · 152 left');
    expect(screen.getByText(/More than 10 segments/)).toBeTruthy();
  });
});
