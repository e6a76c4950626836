// The dialects live in ./dialects/, one class per engine; this module keeps the imports short.
export {
  Dialect,
  type EncodedRows,
  type Engine,
  type NamedLock,
  type SchemaTypes,
  type SqlValue,
} from './dialects/dialect';
export { createDialect, engineOf } from './dialects/create-dialect';
