import { z } from 'zod';

/**
 * The envelope every integration event and command travels in (docs/architecture.md §7).
 * The JSON body is the whole envelope; the broker mirrors id, type and correlation into
 * AMQP properties and headers so tooling can route and trace without parsing the body.
 */
export const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().regex(/^[a-z]+\.[a-z_]+\.v\d+$/, 'type must look like <context>.<event>.v<n>'),
  occurredAt: z.iso.datetime({ offset: true }),
  aggregateType: z.string().min(1),
  aggregateId: z.string().min(1),
  aggregateVersion: z.number().int().nonnegative(),
  correlationId: z.string().min(1),
  causationId: z.string().nullable(),
  traceparent: z.string().nullable(),
  data: z.unknown(),
});

export type Envelope<TType extends string = string, TData = unknown> = Omit<
  z.infer<typeof envelopeSchema>,
  'type' | 'data'
> & { type: TType; data: TData };
