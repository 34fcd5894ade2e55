import { createTheme } from '@mui/material/styles';

/**
 * theme is the app's Material theme with light and dark colour schemes,
 * switched by a class on <html> (no inline script: the CSP forbids one).
 */
export const theme = createTheme({
  cssVariables: { colorSchemeSelector: 'class' },
  colorSchemes: {
    light: { palette: { primary: { main: '#3f51b5' }, secondary: { main: '#00897b' } } },
    dark: { palette: { primary: { main: '#9fa8da' }, secondary: { main: '#4db6ac' } } },
  },
  shape: { borderRadius: 8 },
  components: {
    MuiButton: { defaultProps: { disableElevation: true } },
    // The app bar sits above the permanent navigation drawer; drawers that
    // open over the page (details, the phone's navigation) sit above both.
    MuiDrawer: { styleOverrides: { modal: ({ theme }) => ({ zIndex: theme.zIndex.modal }) } },
  },
});
