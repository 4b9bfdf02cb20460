// TensorBoard's Event message (tensorflow/core/util/event.proto), limited to what a training log
// needs: the file_version header, scalar summaries and the SessionLog START marker for resumes.
// Field numbers are the upstream ones and must never change.
import { ProtoReader, ProtoWriter, WireType } from './protobuf.ts';

const EventField = {
  wallTime: 1, // double
  step: 2, // int64
  fileVersion: 3, // string
  summary: 5, // Summary
  sessionLog: 7, // SessionLog
} as const;

const SummaryField = { value: 1 } as const; // repeated Value
const ValueField = { tag: 1, simpleValue: 2 } as const; // string, float
const SessionLogField = { status: 1, checkpointPath: 2, msg: 3 } as const;

/** The version string every event file starts with; TensorBoard checks for it. */
export const EVENT_FILE_VERSION = 'brain.Event:2';

/** SessionLog.SessionStatus from event.proto. */
export const SessionStatus = {
  Unspecified: 0,
  Start: 1,
  Stop: 2,
  Checkpoint: 3,
} as const;
export type SessionStatus = (typeof SessionStatus)[keyof typeof SessionStatus];

/** One scalar as TensorBoard stores it: `value` is float32, so precision is about 7 digits. */
export interface Scalar {
  tag: string;
  value: number;
}

export interface SessionLogEntry {
  status: number;
  checkpointPath?: string;
  msg?: string;
}

/** A decoded Event; fields we do not model (graphs, histograms, images) are skipped. */
export interface DecodedEvent {
  /** Seconds since the epoch, as a double. */
  wallTime: number;
  step: number;
  fileVersion?: string;
  sessionLog?: SessionLogEntry;
  scalars: Scalar[];
}

function eventHeader(wallTime: number, step: number): ProtoWriter {
  const event = new ProtoWriter().double(EventField.wallTime, wallTime);
  // proto3 omits default values; TensorBoard reads a missing step as 0, so this is byte-identical
  // to what TensorFlow writes.
  if (step !== 0) event.varint(EventField.step, step);
  return event;
}

/** The first record of every event file. */
export function encodeFileVersionEvent(wallTime: number): Uint8Array {
  return eventHeader(wallTime, 0).string(EventField.fileVersion, EVENT_FILE_VERSION).finish();
}

/**
 * Several scalars sharing one step go into one Event so a crash can tear at most one record, and
 * TensorBoard shows them with identical wall time.
 */
export function encodeScalarEvent(wallTime: number, step: number, scalars: readonly Scalar[]): Uint8Array {
  const summary = new ProtoWriter();
  for (const { tag, value } of scalars) {
    const v = new ProtoWriter().string(ValueField.tag, tag).float(ValueField.simpleValue, value);
    summary.message(SummaryField.value, v);
  }
  return eventHeader(wallTime, step).message(EventField.summary, summary).finish();
}

/**
 * TensorBoard drops every already-loaded event with step >= `step` when it sees SessionLog START
 * ("purge orphaned data"); writing one on resume hides the steps a crashed run logged after its
 * last checkpoint, which are about to be logged again.
 */
export function encodeSessionLogEvent(wallTime: number, step: number, log: SessionLogEntry): Uint8Array {
  const body = new ProtoWriter();
  if (log.status !== 0) body.varint(SessionLogField.status, log.status);
  if (log.checkpointPath) body.string(SessionLogField.checkpointPath, log.checkpointPath);
  if (log.msg) body.string(SessionLogField.msg, log.msg);
  return eventHeader(wallTime, step).message(EventField.sessionLog, body).finish();
}

function decodeValue(bytes: Uint8Array): Scalar | undefined {
  const r = new ProtoReader(bytes);
  let tag = '';
  let value: number | undefined;
  for (let key = r.next(); key; key = r.next()) {
    if (key.field === ValueField.tag && key.wireType === WireType.LengthDelimited) tag = r.string();
    else if (key.field === ValueField.simpleValue && key.wireType === WireType.Fixed32) value = r.float();
    else r.skip(key.wireType);
  }
  // A Value without simple_value is an image/histogram/tensor summary: not a scalar, not an error.
  return value === undefined ? undefined : { tag, value };
}

function decodeSummary(bytes: Uint8Array, into: Scalar[]): void {
  const r = new ProtoReader(bytes);
  for (let key = r.next(); key; key = r.next()) {
    if (key.field === SummaryField.value && key.wireType === WireType.LengthDelimited) {
      const scalar = decodeValue(r.bytes());
      if (scalar) into.push(scalar);
    } else r.skip(key.wireType);
  }
}

function decodeSessionLog(bytes: Uint8Array): SessionLogEntry {
  const r = new ProtoReader(bytes);
  const log: SessionLogEntry = { status: SessionStatus.Unspecified };
  for (let key = r.next(); key; key = r.next()) {
    if (key.field === SessionLogField.status && key.wireType === WireType.Varint) log.status = r.varint();
    else if (key.field === SessionLogField.checkpointPath && key.wireType === WireType.LengthDelimited)
      log.checkpointPath = r.string();
    else if (key.field === SessionLogField.msg && key.wireType === WireType.LengthDelimited) log.msg = r.string();
    else r.skip(key.wireType);
  }
  return log;
}

/** Decodes one serialized Event. Unknown fields are skipped, malformed bytes throw. */
export function decodeEvent(bytes: Uint8Array): DecodedEvent {
  const r = new ProtoReader(bytes);
  const event: DecodedEvent = { wallTime: 0, step: 0, scalars: [] };
  for (let key = r.next(); key; key = r.next()) {
    switch (key.field) {
      case EventField.wallTime:
        r.expect(key, WireType.Fixed64);
        event.wallTime = r.double();
        break;
      case EventField.step:
        r.expect(key, WireType.Varint);
        event.step = r.varint();
        break;
      case EventField.fileVersion:
        r.expect(key, WireType.LengthDelimited);
        event.fileVersion = r.string();
        break;
      case EventField.summary:
        r.expect(key, WireType.LengthDelimited);
        decodeSummary(r.bytes(), event.scalars);
        break;
      case EventField.sessionLog:
        r.expect(key, WireType.LengthDelimited);
        event.sessionLog = decodeSessionLog(r.bytes());
        break;
      default:
        r.skip(key.wireType);
    }
  }
  return event;
}
