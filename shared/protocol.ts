/**
 * The Lab ⇄ worker protocol over WebSocket (its schema: protocol-schema.ts). Every frame is one message, a
 * discriminated union on `type`; requests and their answers share an `id` (the job id for
 * job traffic). Typed arrays (row indices, sample weights, data, outputs) travel as binary
 * parts of the frame, never as JSON numbers (see shared/codec.ts for the framing).
 *
 * Connection: Lab → `challenge` (nonce, protocol version); worker → `hello` (version, name,
 * slots, HMAC-SHA256(token, nonce) as hex); Lab → `welcome` or `error` + close. The token
 * itself never crosses the wire. Errors are data with a stable code, never a hang.
 */

/** Bumped on any incompatible change; a mismatch is refused in `hello` with E_VERSION. */
export const PROTOCOL_VERSION = 2;

/** Largest frame either side accepts (bytes); a bigger one is a protocol error. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

// The messages' fields, types and limits are defined once, in protocol-schema.ts.
export type {
  BackendSpec,
  CancelMsg,
  ChallengeMsg,
  DataMsg,
  DrainingMsg,
  ErrorCode,
  ErrorMsg,
  FailedMsg,
  HeartbeatMsg,
  HelloMsg,
  JobMsg,
  KernelsSpec,
  NeedDataMsg,
  ProgressMsg,
  ReleasedMsg,
  ResultMsg,
  WelcomeMsg,
} from './protocol-schema.ts';
import type {
  CancelMsg,
  ChallengeMsg,
  DataMsg,
  DrainingMsg,
  ErrorMsg,
  FailedMsg,
  HeartbeatMsg,
  HelloMsg,
  JobMsg,
  NeedDataMsg,
  ProgressMsg,
  ReleasedMsg,
  ResultMsg,
  WelcomeMsg,
} from './protocol-schema.ts';

export type LabMessage = ChallengeMsg | WelcomeMsg | JobMsg | DataMsg | CancelMsg | ErrorMsg;
export type WorkerMessage =
  HelloMsg | HeartbeatMsg | NeedDataMsg | ProgressMsg | ResultMsg | FailedMsg | ReleasedMsg | DrainingMsg;

export type Message = LabMessage | WorkerMessage;
