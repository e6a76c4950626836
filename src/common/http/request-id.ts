/** The header that carries a request's id, both ways: the client's (when sane) in, ours out. */
export const REQUEST_ID_HEADER = 'X-Request-Id';
