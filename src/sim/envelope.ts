/**
 * A message on the simulated wire. Immutable once built; `payload` has already
 * been isolated (validated, copied, frozen). The trace copies its fields into
 * columns rather than keeping it, so envelopes die young.
 */
export const MSG = 0; // one-way message
export const REQ = 1; // RPC request
export const RES = 2; // RPC response
export const PUB = 3; // publish to broker
export const PUBACK = 4; // broker stored a publish
export const BDELIVER = 5; // broker delivery to a consumer
export const BACK = 6; // consumer ack
export const BNACK = 7; // consumer handler failed: redeliver


export class Envelope {
  constructor(
    readonly id: number,
    readonly kind: number,
    readonly from: number,
    readonly to: number,
    /** Message type, RPC method, or topic. */
    readonly type: string,
    readonly payload: unknown,
    /** For responses and acks: the id of the message answered. */
    readonly corr: number,
    readonly sentAt: number,
  ) {}

}
// Never reachable from service code; frozen anyway (defence in depth).
Object.freeze(Envelope);
Object.freeze(Envelope.prototype);
