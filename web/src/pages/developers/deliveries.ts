/** DeliveryOutcome groups a webhook attempt's answer for its chip. */
export type DeliveryOutcome = 'success' | 'client' | 'server' | 'network' | 'other';

/** deliveryOutcome classifies an attempt by its HTTP status; 0 means no answer came (network error or timeout). */
export function deliveryOutcome(status: number): DeliveryOutcome {
  if (status === 0) return 'network';
  if (status >= 200 && status < 300) return 'success';
  if (status >= 400 && status < 500) return 'client';
  if (status >= 500 && status < 600) return 'server';
  return 'other';
}

/** deliveryColor is the MUI chip colour of an outcome. */
export function deliveryColor(o: DeliveryOutcome): 'success' | 'warning' | 'error' | 'default' {
  switch (o) {
    case 'success':
      return 'success';
    case 'client':
      return 'warning';
    case 'server':
    case 'network':
      return 'error';
    default:
      return 'default';
  }
}

/** deliveryLabel is the chip's text: the status code, or "No answer". */
export function deliveryLabel(status: number): string {
  return status === 0 ? 'No answer' : String(status);
}
