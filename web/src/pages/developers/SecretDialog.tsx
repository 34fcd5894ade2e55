import { useState } from 'react';
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, InputAdornment, IconButton, TextField, Tooltip } from '@mui/material';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';

/**
 * SecretDialog shows a secret the API answers once (a new API key, a
 * generated SMPP password), with a copy button and the warning that it
 * will not be shown again.
 */
export function SecretDialog(props: { open: boolean; title: string; label: string; secret: string; onClose: () => void }) {
  const { open, title, label, secret, onClose } = props;
  const [copied, setCopied] = useState<'yes' | 'no' | ''>('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="secret-title" fullWidth maxWidth="sm">
      <DialogTitle id="secret-title">{title}</DialogTitle>
      <DialogContent>
        <Alert severity="warning" sx={{ mb: 2 }}>
          Copy it now and keep it somewhere safe: it is shown this once and cannot be read again.
        </Alert>
        <TextField
          label={label}
          value={secret}
          fullWidth
          onFocus={(e) => e.target.select()}
          slotProps={{
            htmlInput: { readOnly: true, spellCheck: false, style: { fontFamily: 'monospace' } },
            input: {
              endAdornment: (
                <InputAdornment position="end">
                  <Tooltip title="Copy">
                    <IconButton aria-label={`Copy the ${label}`} onClick={copy} edge="end">
                      <ContentCopyIcon />
                    </IconButton>
                  </Tooltip>
                </InputAdornment>
              ),
            },
          }}
          helperText={copied === 'yes' ? 'Copied to the clipboard.' : copied === 'no' ? 'The browser refused the clipboard: select the text and copy it.' : ' '}
        />
      </DialogContent>
      <DialogActions>
        <Button variant="contained" onClick={onClose}>
          I have copied it
        </Button>
      </DialogActions>
    </Dialog>
  );
}
