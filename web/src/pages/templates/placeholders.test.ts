import { describe, expect, it } from 'vitest';
import { insertAt, placeholderTokens, token } from './placeholders';

describe('placeholders', () => {
  it('lists the contact, custom and opt-out placeholders', () => {
    expect(placeholderTokens(['tier'])).toEqual(['first_name', 'last_name', 'phone', 'email', 'field.tier', 'optout']);
  });
  it('writes defaults after a bar, never for optout', () => {
    expect(token('first_name')).toBe('{{first_name}}');
    expect(token('first_name', 'there')).toBe('{{first_name|there}}');
    expect(token('optout', 'x')).toBe('{{optout}}');
  });
  it('inserts at the caret or over the selection', () => {
    expect(insertAt('Hi !', 3, 3, '{{first_name}}')).toEqual({ body: 'Hi {{first_name}}!', caret: 17 });
    expect(insertAt('Hi NAME!', 3, 7, '{{x}}')).toEqual({ body: 'Hi {{x}}!', caret: 8 });
    expect(insertAt('ab', 10, 12, 'c')).toEqual({ body: 'abc', caret: 3 });
  });
});

import { markUCS2 } from './placeholders';

describe('markUCS2', () => {
  it('marks the characters at the given code point indexes', () => {
    expect(markUCS2('Hi 😀 Zoë!', [3, 7])).toEqual([
      { text: 'Hi ', ucs2: false },
      { text: '😀', ucs2: true },
      { text: ' Zo', ucs2: false },
      { text: 'ë', ucs2: true },
      { text: '!', ucs2: false },
    ]);
    expect(markUCS2('', [])).toEqual([]);
  });
});
