import { describe, expect, it } from 'vitest';
import { deliveryColor, deliveryLabel, deliveryOutcome } from './deliveries';

describe('deliveryOutcome', () => {
  it('groups statuses', () => {
    expect(deliveryOutcome(200)).toBe('success');
    expect(deliveryOutcome(204)).toBe('success');
    expect(deliveryOutcome(404)).toBe('client');
    expect(deliveryOutcome(503)).toBe('server');
    expect(deliveryOutcome(0)).toBe('network');
    expect(deliveryOutcome(302)).toBe('other');
  });
  it('colours and labels', () => {
    expect(deliveryColor('success')).toBe('success');
    expect(deliveryColor('client')).toBe('warning');
    expect(deliveryColor('network')).toBe('error');
    expect(deliveryColor('other')).toBe('default');
    expect(deliveryLabel(0)).toBe('No answer');
    expect(deliveryLabel(502)).toBe('502');
  });
});
