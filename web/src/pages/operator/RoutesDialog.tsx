import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Stack, Typography } from '@mui/material';
import { ProblemAlert } from '../../components/ProblemAlert';
import { newRoute, type Route, routeErrors, routeRows, routesBody, type RouteRow } from './config';
import { RouteRowEditor } from './RouteRowEditor';

/**
 * RoutesDialog edits a whole route plan (the default one or an account's)
 * and saves it with save, which replaces the plan; the API's refusal (an
 * unknown carrier, one not offered, one not running yet) is shown as is.
 */
export function RoutesDialog(props: {
  open: boolean;
  title: string;
  intro: string;
  routes: Route[];
  /** The carriers that may be named, when the caller may know them. */
  carriers?: string[];
  save: (body: { routes: Route[] }) => Promise<unknown>;
  onClose: () => void;
}) {
  return props.open ? <RoutesForm {...props} /> : null;
}

function RoutesForm({ title, intro, routes, carriers, save, onClose }: Parameters<typeof RoutesDialog>[0]) {
  const [rows, setRows] = useState<RouteRow[]>(() => routeRows(routes));
  const [touched, setTouched] = useState(false);
  const m = useMutation({ mutationFn: () => save(routesBody(rows)), onSuccess: onClose });
  const errs = routeErrors(rows, carriers);
  const submit = () => {
    setTouched(true);
    if (!errs.any) m.mutate();
  };
  return (
    <Dialog open onClose={onClose} aria-labelledby="routes-title" fullWidth maxWidth="md">
      <DialogTitle id="routes-title">{title}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>{intro}</DialogContentText>
        <ProblemAlert error={m.error} />
        <Stack spacing={2}>
          {rows.length === 0 && <Typography color="text.secondary">No routes.</Typography>}
          {rows.map((r, i) => (
            <RouteRowEditor key={i} index={i} row={r} carriers={carriers} error={touched ? errs.routes[i] : undefined}
              onChange={(nr) => setRows((rs) => rs.map((x, k) => (k === i ? nr : x)))}
              onRemove={() => setRows((rs) => rs.filter((_, k) => k !== i))} />
          ))}
          <Button onClick={() => setRows((rs) => [...rs, newRoute(carriers?.length === 1 ? carriers[0] : '')])} sx={{ alignSelf: 'flex-start' }}>
            Add a route
          </Button>
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={submit} loading={m.isPending}>
          Save routes
        </Button>
      </DialogActions>
    </Dialog>
  );
}
