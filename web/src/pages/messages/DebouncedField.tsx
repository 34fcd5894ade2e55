import { useEffect, useRef, useState } from 'react';
import { TextField, type TextFieldProps } from '@mui/material';

/**
 * DebouncedField is a text filter that reports its value once typing
 * pauses (or on Enter), so the list is not fetched at every keystroke.
 */
export function DebouncedField({ value, onCommit, delayMs = 400, ...rest }: Omit<TextFieldProps, 'value' | 'onChange'> & { value: string; onCommit: (v: string) => void; delayMs?: number }) {
  const [text, setText] = useState(value);
  const committed = useRef(value);
  useEffect(() => {
    // The URL changed under us (back button, cleared filters).
    committed.current = value;
    setText(value);
  }, [value]);
  useEffect(() => {
    if (text.trim() === committed.current) return;
    const t = setTimeout(() => {
      committed.current = text.trim();
      onCommit(text.trim());
    }, delayMs);
    return () => clearTimeout(t);
  }, [text, delayMs, onCommit]);
  return (
    <TextField
      {...rest}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && text.trim() !== committed.current) {
          committed.current = text.trim();
          onCommit(text.trim());
        }
      }}
    />
  );
}
