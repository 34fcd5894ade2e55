import { Suspense, useState } from 'react';
import { NavLink, Outlet } from 'react-router';
import {
  AppBar, Box, CircularProgress, Divider, Drawer, IconButton, List, ListItem, ListItemButton, ListItemIcon,
  ListItemText, Toolbar, Typography, useMediaQuery, useTheme,
} from '@mui/material';
import MenuIcon from '@mui/icons-material/Menu';
import { areas } from '../areas';
import { useAuth } from '../auth/AuthProvider';
import { ThemeToggle } from './ThemeToggle';
import { UserMenu } from './UserMenu';

const drawerWidth = 232;

/** AppShell is the signed-in frame: the app bar, the navigation drawer and the page. */
export function AppShell() {
  const theme = useTheme();
  const wide = useMediaQuery(theme.breakpoints.up('md'));
  const [open, setOpen] = useState(false);
  const { me } = useAuth();
  const visible = areas.filter((a) => !a.visible || (me && a.visible(me)));

  const nav = (
    <nav aria-label="Main">
      <Toolbar />
      <Divider />
      <List dense>
        {visible.map((a) => (
          <ListItem key={a.path} disablePadding>
          <ListItemButton
            component={NavLink}
            to={`/${a.path}`}
            end={a.path === ''}
            onClick={() => setOpen(false)}
            sx={{ '&.active': { bgcolor: 'action.selected' } }}
          >
            <ListItemIcon sx={{ minWidth: 40 }}>
              <a.icon />
            </ListItemIcon>
            <ListItemText primary={a.label} />
          </ListItemButton>
          </ListItem>
        ))}
      </List>
    </nav>
  );

  return (
    <Box sx={{ display: 'flex', minHeight: '100vh' }}>
      <AppBar position="fixed" sx={{ zIndex: (t) => t.zIndex.drawer + 1 }}>
        <Toolbar>
          {!wide && (
            <IconButton color="inherit" edge="start" aria-label="Open navigation" onClick={() => setOpen(true)} sx={{ mr: 1 }}>
              <MenuIcon />
            </IconButton>
          )}
          <Typography variant="h6" component="div" sx={{ flexGrow: 1 }} noWrap>
            Gallant SMS
          </Typography>
          <ThemeToggle />
          <UserMenu />
        </Toolbar>
      </AppBar>
      <Drawer
        variant={wide ? 'permanent' : 'temporary'}
        open={wide || open}
        onClose={() => setOpen(false)}
        sx={{ width: drawerWidth, flexShrink: 0, '& .MuiDrawer-paper': { width: drawerWidth, boxSizing: 'border-box' } }}
      >
        {nav}
      </Drawer>
      <Box component="main" sx={{ flexGrow: 1, minWidth: 0, p: { xs: 2, md: 3 } }}>
        <Toolbar />
        <Suspense
          fallback={
            <Box sx={{ display: 'grid', placeItems: 'center', minHeight: '40vh' }}>
              <CircularProgress aria-label="Loading page" />
            </Box>
          }
        >
          <Outlet />
        </Suspense>
      </Box>
    </Box>
  );
}
