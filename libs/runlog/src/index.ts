// Public entry of @shardgrad/runlog: run directories, metric logs, TensorBoard event files and
// atomic writes. Node-only (node:fs); deliberately free of tfjs and of other shardgrad libs so the
// coordinator, CLI and tools can all use it.
export {
  createRunDirectory,
  openRunDirectory,
  isRunDirectory,
  METRICS_CSV,
  type RunDirectory,
  type MetricTag,
  type CreateRunDirectoryOptions,
  type OpenRunDirectoryOptions,
  type RunDirectoryHooks,
} from './run-directory.ts';
export {
  RUN_JSON,
  createRunId,
  readRunInfo,
  type RunInfo,
  type RunResume,
} from './run-info.ts';
export { readMetrics, METRICS_JSONL, type MetricRecord } from './metrics-jsonl.ts';
export { GrowingCsvFile, formatCsvField, parseCsvLine, type CsvValue } from './metrics-csv.ts';
export { CHECKPOINTS_DIR, checkpointName, listCheckpoints, type CheckpointEntry } from './checkpoints.ts';
export { writeFileAtomic, writeFileAtomicSync, isAtomicTempFile, type AtomicData } from './atomic-write.ts';
export { EventFileWriter, eventFileName, type EventFileWriterOptions } from './event-writer.ts';
export { readEventFile, decodeEventBytes, listEventFiles } from './event-reader.ts';
export {
  EVENT_FILE_VERSION,
  SessionStatus,
  decodeEvent,
  encodeFileVersionEvent,
  encodeScalarEvent,
  encodeSessionLogEvent,
  type DecodedEvent,
  type Scalar,
  type SessionLogEntry,
} from './event.ts';
export { encodeRecord, readRecords, RecordError, RECORD_OVERHEAD, type FramedRecord } from './tfrecord.ts';
export { crc32c, maskCrc, unmaskCrc, maskedCrc32c } from './crc32c.ts';
