import { Link as RouterLink } from 'react-router';
import { Button, Stack, Typography } from '@mui/material';

/** NotFoundPage answers a path the console does not have. */
export default function NotFoundPage() {
  return (
    <Stack spacing={2} sx={{ alignItems: 'flex-start' }}>
      <Typography variant="h5" component="h1">
        Page not found
      </Typography>
      <Typography>There is no page at this address.</Typography>
      <Button component={RouterLink} to="/" variant="contained">
        Go to the overview
      </Button>
    </Stack>
  );
}
