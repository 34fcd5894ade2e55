import { lazy, Suspense } from 'react';
import type { RouteObject } from 'react-router';

const SignInPage = lazy(() => import('./pages/auth/SignInPage'));

const page = (P: React.ComponentType) => (
  <Suspense fallback={null}>
    <P />
  </Suspense>
);

/** publicRoutes are the pages a signed-out visitor may see. */
export const publicRoutes: RouteObject[] = [{ path: '/sign-in', element: page(SignInPage) }];
