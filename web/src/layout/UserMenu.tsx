import { useState } from 'react';
import { useNavigate } from 'react-router';
import { Divider, IconButton, ListItemText, Menu, MenuItem, Tooltip } from '@mui/material';
import AccountIcon from '@mui/icons-material/AccountCircleOutlined';
import { useAuth } from '../auth/AuthProvider';

/** UserMenu shows who is signed in and signs out, here or everywhere. */
export function UserMenu() {
  const { me, signOut } = useAuth();
  const navigate = useNavigate();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const out = async (everywhere: boolean) => {
    setAnchor(null);
    await signOut(everywhere);
    navigate('/sign-in', { replace: true });
  };
  return (
    <>
      <Tooltip title="Account">
        <IconButton color="inherit" aria-label="Account menu" onClick={(e) => setAnchor(e.currentTarget)}>
          <AccountIcon />
        </IconButton>
      </Tooltip>
      <Menu anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)}>
        <MenuItem disabled>
          <ListItemText primary={me?.user?.email ?? 'API key'} secondary={`${me?.role ?? ''} · account ${me?.account_id ?? ''}`} />
        </MenuItem>
        <Divider />
        <MenuItem onClick={() => void out(false)}>Sign out</MenuItem>
        <MenuItem onClick={() => void out(true)}>Sign out everywhere</MenuItem>
      </Menu>
    </>
  );
}
