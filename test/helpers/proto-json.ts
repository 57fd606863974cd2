/**
 * A strict proto3-JSON validator built from the Dialogflow protos that `@google-cloud/dialogflow` ships
 * (`build/protos/protos.json`), refusing what Dialogflow ES refuses when it parses a webhook's answer
 * ("Failed to parse webhook JSON response: Cannot find field: …", "Invalid enum value …"):
 * - a field the message does not have, at any depth (the JSON name or the proto name is accepted);
 * - an enum value by a name (or number) the enum does not have;
 * - a scalar of the wrong JSON type (a string for a bool, a fraction for an int32, …);
 * - two members of one oneof;
 * while `google.protobuf.Struct` / `Value` / `ListValue` hold free JSON, and `null` stands for the default.
 * It reports every problem with its path, so a failing test says where the answer is wrong.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as protobuf from 'protobufjs';

export type ApiVersion = 'v2' | 'v2beta1';

let root: protobuf.Root | undefined;

function protos(): protobuf.Root {
  if (!root) {
    const file = join(require.resolve('@google-cloud/dialogflow'), '..', '..', 'protos', 'protos.json');
    root = protobuf.Root.fromJSON(JSON.parse(readFileSync(file, 'utf8')) as protobuf.INamespace);
    root.resolveAll();
  }
  return root;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const INT32 = new Set(['int32', 'sint32', 'sfixed32', 'uint32', 'fixed32']);
const INT64 = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkScalar(type: string, value: unknown, path: string, problems: string[]): void {
  const bad = (what: string): void => void problems.push(`${path}: ${what} expected, got ${JSON.stringify(value)}`);
  if (type === 'string') {
    if (typeof value !== 'string') bad('string');
  } else if (type === 'bool') {
    if (typeof value !== 'boolean') bad('bool');
  } else if (type === 'double' || type === 'float') {
    if (typeof value !== 'number' && !(typeof value === 'string' && /^(NaN|-?Infinity|-?\d+(\.\d+)?([eE][-+]?\d+)?)$/.test(value))) bad(type);
  } else if (INT32.has(type) || INT64.has(type)) {
    const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n)) bad(type);
    else if (type.startsWith('u') || type.startsWith('fixed')) {
      if (n < 0) bad(type);
    }
    if (INT32.has(type) && typeof n === 'number' && (n > 4294967295 || n < -2147483648)) bad(type);
  } else if (type === 'bytes') {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) bad('base64 bytes');
  } else {
    problems.push(`${path}: unknown scalar type ${type}`);
  }
}

function checkEnum(enumType: protobuf.Enum, value: unknown, path: string, problems: string[]): void {
  const known = typeof value === 'string' ? value in enumType.values : typeof value === 'number' && Object.values(enumType.values).includes(value);
  if (!known) problems.push(`${path}: Invalid enum value ${JSON.stringify(value)} for enum type ${enumType.fullName.slice(1)}`);
}

/** Well-known types with their own JSON form. */
function checkWellKnown(fullName: string, value: unknown, path: string, problems: string[]): boolean {
  switch (fullName) {
    case '.google.protobuf.Struct':
      if (!isObject(value)) problems.push(`${path}: Struct must be a JSON object`);
      return true;
    case '.google.protobuf.Value':
      return true;
    case '.google.protobuf.ListValue':
      if (!Array.isArray(value)) problems.push(`${path}: ListValue must be a JSON array`);
      return true;
    case '.google.protobuf.Duration':
      if (typeof value !== 'string' || !/^-?\d+(\.\d{1,9})?s$/.test(value)) problems.push(`${path}: Duration must be a string like "1.5s"`);
      return true;
    case '.google.protobuf.Timestamp':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) problems.push(`${path}: Timestamp must be an RFC 3339 string`);
      return true;
    case '.google.protobuf.FieldMask':
      if (typeof value !== 'string') problems.push(`${path}: FieldMask must be a string`);
      return true;
    default:
      return false;
  }
}

function checkValue(field: protobuf.Field, value: unknown, path: string, problems: string[]): void {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) checkEnum(resolved, value, path, problems);
  else if (resolved instanceof protobuf.Type) checkMessage(resolved, value, path, problems);
  else checkScalar(field.type, value, path, problems);
}

function checkMessage(type: protobuf.Type, value: unknown, path: string, problems: string[]): void {
  if (checkWellKnown(type.fullName, value, path, problems)) return;
  if (!isObject(value)) {
    problems.push(`${path}: ${type.fullName.slice(1)} must be a JSON object`);
    return;
  }
  const byName = new Map<string, protobuf.Field>();
  for (const field of type.fieldsArray) {
    byName.set(field.name, field);
    byName.set(snake(field.name), field);
  }
  const oneofs = new Map<string, string>();
  for (const [key, member] of Object.entries(value)) {
    const field = byName.get(key);
    const at = path === '' ? key : `${path}.${key}`;
    if (!field) {
      problems.push(`${at}: Cannot find field: ${key} in message ${type.fullName.slice(1)}`);
      continue;
    }
    if (member === null) continue; // proto3 JSON: null is the field's default
    if (field.partOf) {
      const other = oneofs.get(field.partOf.name);
      if (other !== undefined) problems.push(`${at}: oneof ${field.partOf.name} already has ${other}`);
      oneofs.set(field.partOf.name, key);
    }
    if (field.map) {
      if (!isObject(member)) problems.push(`${at}: map must be a JSON object`);
      else for (const [k, v] of Object.entries(member)) checkValue(field, v, `${at}.${k}`, problems);
    } else if (field.repeated) {
      if (!Array.isArray(member)) problems.push(`${at}: repeated field must be a JSON array`);
      else member.forEach((item, i) => checkValue(field, item, `${at}[${i}]`, problems));
    } else {
      checkValue(field, member, at, problems);
    }
  }
}

/** Every problem strict parsing finds in `json` as the message `typeName` (`WebhookResponse`) of `version`. */
export function protoJsonProblems(version: ApiVersion, typeName: string, json: unknown): string[] {
  const problems: string[] = [];
  checkMessage(protos().lookupType(`google.cloud.dialogflow.${version}.${typeName}`), json, '', problems);
  return problems;
}

/** Throws, listing every problem, unless `json` is a valid WebhookResponse of `version`. */
export function assertWebhookResponse(version: ApiVersion, json: unknown): void {
  const problems = protoJsonProblems(version, 'WebhookResponse', json);
  if (problems.length > 0) throw new Error(`not a valid ${version} WebhookResponse:\n  ${problems.join('\n  ')}\n${JSON.stringify(json)}`);
}
