// The top-up request form, validated as POST /v1/topup-requests does.

/** noteError checks the note: at most 255 bytes. */
export function noteError(v: string): string | undefined {
  return new TextEncoder().encode(v.trim()).length > 255 ? 'At most 255 bytes' : undefined;
}

/** askStatusLabel names a request's status. */
export function askStatusLabel(s: string): string {
  switch (s) {
    case 'pending':
      return 'Pending';
    case 'topped_up':
      return 'Topped up';
    case 'declined':
      return 'Declined';
    default:
      return s;
  }
}
