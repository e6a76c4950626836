// The dialects live in ./dialects/, one class per engine; this module keeps the imports short.
export { Dialect, type Engine, type NamedLock, type SchemaTypes } from './dialects/dialect';
export { createDialect, engineOf } from './dialects/create-dialect';
