// The auth forms' checks, as the API makes them.

/** passwordProblem says what is wrong with a new password, as the API would (10 to 256 bytes). */
export function passwordProblem(pw: string): string | undefined {
  const bytes = new TextEncoder().encode(pw).length;
  if (bytes < 10) return 'at least 10 characters';
  if (bytes > 256) return 'at most 256 bytes';
  return undefined;
}

/** emailProblem says when an email address cannot be one. */
export function emailProblem(email: string): string | undefined {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()) ? undefined : 'an email address such as ann@example.com';
}
