import { lazy, Suspense } from 'react';
import type { RouteObject } from 'react-router';

const SignInPage = lazy(() => import('./pages/auth/SignInPage'));
const SignUpPage = lazy(() => import('./pages/auth/SignUpPage'));
const VerifyEmailPage = lazy(() => import('./pages/auth/VerifyEmailPage'));
const ResetPasswordPage = lazy(() => import('./pages/auth/ResetPasswordPage'));
const ResetPasswordConfirmPage = lazy(() => import('./pages/auth/ResetPasswordConfirmPage'));

const page = (P: React.ComponentType) => (
  <Suspense fallback={null}>
    <P />
  </Suspense>
);

/** publicRoutes are the pages a signed-out visitor may see. */
export const publicRoutes: RouteObject[] = [
  { path: '/sign-in', element: page(SignInPage) },
  { path: '/sign-up', element: page(SignUpPage) },
  { path: '/verify-email', element: page(VerifyEmailPage) },
  { path: '/reset-password', element: page(ResetPasswordPage) },
  { path: '/reset-password/confirm', element: page(ResetPasswordConfirmPage) },
];
