import { parse, type ParsedUrlQuery } from 'node:querystring';

/** Query strings up to this many characters have their parse remembered… */
const REMEMBERED_QUERY_CHARS = 256;
/** …the last this many of them. */
const REMEMBERED_QUERIES = 256;

/**
 * Express's simple query parser (`querystring.parse`), with the last short query strings' results
 * remembered: Express parses `req.query` again at every read, and a dashboard asks for the same
 * `?year=2021` again and again. Each read gets its own copy, so a handler that changes its query
 * changes no other request's.
 */
export function rememberingQueryParser(): (text: string | null | undefined) => ParsedUrlQuery {
  const remembered = new Map<string, ParsedUrlQuery>();
  return (text) => {
    // Express passes null for a URL without a query string.
    if (typeof text !== 'string' || text.length > REMEMBERED_QUERY_CHARS) return parse(text ?? '');
    let query = remembered.get(text);
    if (query === undefined) {
      query = parse(text);
      if (remembered.size >= REMEMBERED_QUERIES) remembered.delete(remembered.keys().next().value as string);
      remembered.set(text, query);
    }
    return copyOf(query);
  };
}

function copyOf(query: ParsedUrlQuery): ParsedUrlQuery {
  const copy: ParsedUrlQuery = Object.create(null) as ParsedUrlQuery;
  for (const key of Object.keys(query)) {
    const value = query[key];
    copy[key] = Array.isArray(value) ? [...value] : value;
  }
  return copy;
}
