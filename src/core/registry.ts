/**
 * Factories by kind and type. Built-ins are registered from `src/components.ts`; plugins
 * are modules named in `service.plugins` (and nowhere else) exporting the same shape.
 */
import type { ComponentFactory, ComponentKind } from './component.ts';

const TYPE_RE = /^[a-z][a-z0-9_]*$/;

export class Registry {
  private readonly byKind: Record<ComponentKind, Map<string, ComponentFactory>> = {
    receiver: new Map(), processor: new Map(), exporter: new Map(),
  };

  constructor(factories: readonly ComponentFactory[] = []) {
    for (const f of factories) this.register(f);
  }

  register(factory: ComponentFactory, origin = 'built-in'): void {
    const problem = checkFactoryShape(factory);
    if (problem) throw new Error(`${origin}: ${problem}`);
    const map = this.byKind[factory.kind];
    if (map.has(factory.type)) throw new Error(`${origin}: a ${factory.kind} of type "${factory.type}" is already registered`);
    map.set(factory.type, factory);
  }

  get(kind: ComponentKind, type: string): ComponentFactory | undefined {
    return this.byKind[kind].get(type);
  }

  types(kind: ComponentKind): string[] {
    return [...this.byKind[kind].keys()].sort();
  }
}

/** Why a value is not a component factory, or undefined if it is one. */
export function checkFactoryShape(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return 'not a component factory (expected an object)';
  const f = value as Partial<ComponentFactory>;
  if (f.kind !== 'receiver' && f.kind !== 'processor' && f.kind !== 'exporter') return 'factory "kind" must be receiver, processor or exporter';
  if (typeof f.type !== 'string' || !TYPE_RE.test(f.type)) return 'factory "type" must match [a-z][a-z0-9_]*';
  if (!f.configSchema || typeof f.configSchema !== 'object') return `factory "${f.type}" has no configSchema object`;
  if (typeof f.defaults !== 'function') return `factory "${f.type}" has no defaults() function`;
  if (typeof f.create !== 'function') return `factory "${f.type}" has no create() function`;
  if (f.validate !== undefined && typeof f.validate !== 'function') return `factory "${f.type}" validate must be a function`;
  return undefined;
}

/** Splits a component id `type` or `type/name`. */
export function parseComponentId(id: string): { type: string; name?: string } | undefined {
  const m = /^([a-z][a-z0-9_]*)(?:\/([A-Za-z0-9_.-]+))?$/.exec(id);
  if (!m) return undefined;
  return m[2] === undefined ? { type: m[1]! } : { type: m[1]!, name: m[2] };
}
