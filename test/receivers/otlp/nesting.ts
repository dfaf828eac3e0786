/** Requests with one record whose body nests maps `levels` deep, built in linear time. */

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

/** protobuf: ExportLogsServiceRequest > ResourceLogs > ScopeLogs > LogRecord.body = kvlist nested `levels` deep. */
export function deepKvlistRequest(levels: number): Buffer {
  const leaf = Buffer.from([0x0a, 4, ...Buffer.from('leaf')]); // AnyValue{string_value: "leaf"}
  const prefixes: Buffer[] = [];
  let valueLen = leaf.length;
  for (let i = 0; i < levels; i++) {
    const kvLen = 3 + 1 + varint(valueLen).length + valueLen; // key "k" (3 bytes) + value field
    const kvlistLen = 1 + varint(kvLen).length + kvLen;
    prefixes.push(Buffer.from([0x32, ...varint(kvlistLen), 0x0a, ...varint(kvLen), 0x0a, 1, 0x6b, 0x12, ...varint(valueLen)]));
    valueLen = 1 + varint(kvlistLen).length + kvlistLen;
  }
  const body = Buffer.concat([...prefixes.reverse(), leaf]);
  const record = Buffer.concat([Buffer.from([0x2a, ...varint(body.length)]), body]);
  const scopeLogs = Buffer.concat([Buffer.from([0x12, ...varint(record.length)]), record]);
  const resourceLogs = Buffer.concat([Buffer.from([0x12, ...varint(scopeLogs.length)]), scopeLogs]);
  return Buffer.concat([Buffer.from([0x0a, ...varint(resourceLogs.length)]), resourceLogs]);
}

/** OTLP/JSON: the same shape. */
export function deepJsonRequest(levels: number): string {
  return '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":'
    + '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(levels)
    + '{"stringValue":"leaf"}'
    + '}]}}'.repeat(levels)
    + '}]}]}]}';
}
