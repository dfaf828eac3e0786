/** Audit events that satisfy config/schemas/audit-event.v1.json, one per category. */
import type { JsonObject } from '../../../src/core/record.ts';

const base = {
  timestamp: '2026-11-22T10:00:00.123456789Z',
  actor: { type: 'user', id: 'u-1842', roles: ['support'] },
  outcome: 'success',
  request_id: 'req-7f3a9c',
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  span_id: '00f067aa0ba902b7',
  source: { service: 'billing-api', version: '2.14.0', environment: 'prod' },
};

const event = (category: string, id: string) => ({ kind: 'audit', category, id });

export const validEvents: Record<string, JsonObject> = {
  authentication: { ...base, event: event('authentication', 'e-1'), action: 'user.login', authentication: { method: 'password', mfa: true }, client: { ip: '203.0.113.7', user_agent: 'Mozilla/5.0' } },
  authorization: { ...base, event: event('authorization', 'e-2'), action: 'invoice.read', outcome: 'failure', resource: { type: 'invoice', id: 'inv-19' }, authorization: { decision: 'deny', permission: 'invoices:read', policy: 'tenant-isolation' } },
  admin: { ...base, event: event('admin', 'e-3'), action: 'role.grant', resource: { type: 'user', id: 'u-77' }, changes: [{ field: 'roles', old_value: ['viewer'], new_value: ['viewer', 'admin'] }] },
  configuration: { ...base, event: event('configuration', 'e-4'), action: 'config.update', resource: { type: 'config', id: 'sso.settings' }, changes: [{ field: 'sso.enforced', old_value: false, new_value: true }] },
  data_access: { ...base, event: event('data_access', 'e-5'), action: 'customer.read', resource: { type: 'customer_record', id: 'c-3301', classification: 'personal' }, data: { subject_id: 'sub-3301', categories: ['contact', 'financial'], record_count: 1, purpose: 'support ticket 4411', legal_basis: 'contract' } },
  export: { ...base, event: event('export', 'e-6'), action: 'data.export', resource: { type: 'dataset', id: 'customers-eu' }, data: { categories: ['contact'], record_count: 12000, destination: 's3://exports-eu/2026-11-22/', format: 'csv' } },
  retention: { ...base, event: event('retention', 'e-7'), actor: { type: 'system', id: 'retention-job' }, action: 'retention.purge', data: { retention_policy: 'logs-400d', record_count: 501233 } },
  erasure: { ...base, schema_version: '1', event: event('erasure', 'e-8'), action: 'subject.erase', resource: { type: 'customer_record', id: 'c-9' }, data: { subject_id: 'sub-9', categories: ['contact', 'identity'] }, reason: 'GDPR Art. 17 request DSR-2211' },
};
